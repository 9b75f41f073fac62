using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MeshMeet.Web.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CohostSeat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsCohost",
                table: "participants",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsCohost",
                table: "participants");
        }
    }
}
