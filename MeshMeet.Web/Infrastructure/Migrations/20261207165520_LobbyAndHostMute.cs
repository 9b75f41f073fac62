using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MeshMeet.Web.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LobbyAndHostMute : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AskToUnmute",
                table: "rooms",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Lobby",
                table: "rooms",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "AudioHeld",
                table: "participants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "VideoHeld",
                table: "participants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "lobby_knocks",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    RoomId = table.Column<Guid>(type: "uuid", nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ConnectionId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    InstanceId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    BrowserHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AddressHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TicketHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Denied = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lobby_knocks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_lobby_knocks_rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_lobby_knocks_RoomId",
                table: "lobby_knocks",
                column: "RoomId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "lobby_knocks");

            migrationBuilder.DropColumn(
                name: "AskToUnmute",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "Lobby",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "AudioHeld",
                table: "participants");

            migrationBuilder.DropColumn(
                name: "VideoHeld",
                table: "participants");
        }
    }
}
