using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MeshMeet.Web.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LocalRecording : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "RecordingOff",
                table: "rooms",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Recording",
                table: "participants",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RecordingOff",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "Recording",
                table: "participants");
        }
    }
}
