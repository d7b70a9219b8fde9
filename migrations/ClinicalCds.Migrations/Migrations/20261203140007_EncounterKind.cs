using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class EncounterKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "encounters",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "part_of",
                table: "encounters",
                type: "text",
                nullable: true);

            // Encounters stored before were read by their class alone: the US Core rules (EncounterRules.UsCore).
            migrationBuilder.Sql("""
                UPDATE encounters SET kind = CASE
                    WHEN class_code IN ('IMP', 'ACUTE', 'NONAC') THEN 'inpatient'
                    WHEN class_code = 'EMER' THEN 'emergency'
                    WHEN class_code = 'OBSENC' THEN 'observation'
                    ELSE 'other' END
                WHERE kind IS NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "kind",
                table: "encounters");

            migrationBuilder.DropColumn(
                name: "part_of",
                table: "encounters");
        }
    }
}
