using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MeshMeet.Web.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ScreenSharingAndInstanceLoad : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ScreenSharing",
                table: "participants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Connections",
                table: "instances",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "SignalsPerSecond",
                table: "instances",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ScreenSharing",
                table: "participants");

            migrationBuilder.DropColumn(
                name: "Connections",
                table: "instances");

            migrationBuilder.DropColumn(
                name: "SignalsPerSecond",
                table: "instances");
        }
    }
}
