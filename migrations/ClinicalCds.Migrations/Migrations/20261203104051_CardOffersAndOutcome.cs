using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class CardOffersAndOutcome : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "outcome",
                table: "cds_cards",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "outcome_key",
                table: "cds_cards",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "override_reasons",
                table: "cds_cards",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<Guid[]>(
                name: "suggestion_ids",
                table: "cds_cards",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "outcome",
                table: "cds_cards");

            migrationBuilder.DropColumn(
                name: "outcome_key",
                table: "cds_cards");

            migrationBuilder.DropColumn(
                name: "override_reasons",
                table: "cds_cards");

            migrationBuilder.DropColumn(
                name: "suggestion_ids",
                table: "cds_cards");
        }
    }
}
