using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class WorklistColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "discharge",
                table: "latest_risk_scores",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "service",
                table: "latest_risk_scores",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_discharge",
                table: "latest_risk_scores",
                columns: new[] { "model", "discharge" });

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_service",
                table: "latest_risk_scores",
                columns: new[] { "model", "service" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_latest_risk_scores_model_discharge",
                table: "latest_risk_scores");

            migrationBuilder.DropIndex(
                name: "ix_latest_risk_scores_model_service",
                table: "latest_risk_scores");

            migrationBuilder.DropColumn(
                name: "discharge",
                table: "latest_risk_scores");

            migrationBuilder.DropColumn(
                name: "service",
                table: "latest_risk_scores");
        }
    }
}
