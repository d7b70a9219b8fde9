using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ResultFeedChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "result_feed_checks",
                columns: table => new
                {
                    until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    feeds = table.Column<string>(type: "jsonb", nullable: false),
                    alarmed = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_result_feed_checks", x => x.until);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "result_feed_checks");
        }
    }
}
