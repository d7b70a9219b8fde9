using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ShadowScoresAndPromotion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "comparisons",
                table: "model_monitoring",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<bool>(
                name: "shadow",
                table: "model_monitoring",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "model_serving_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    from_version = table.Column<string>(type: "text", nullable: true),
                    to_version = table.Column<string>(type: "text", nullable: false),
                    actor = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_serving_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shadow_scores",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    model = table.Column<string>(type: "text", nullable: false),
                    method = table.Column<string>(type: "text", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: true),
                    hook_instance = table.Column<string>(type: "text", nullable: true),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: false),
                    features_as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    probability = table.Column<double>(type: "double precision", nullable: false),
                    tier = table.Column<string>(type: "text", nullable: false),
                    active_method = table.Column<string>(type: "text", nullable: false),
                    active_probability = table.Column<double>(type: "double precision", nullable: true),
                    active_tier = table.Column<string>(type: "text", nullable: false),
                    inputs = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shadow_scores", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_model_serving_changes_model_at",
                table: "model_serving_changes",
                columns: new[] { "model", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_shadow_scores_model_method_features_as_of",
                table: "shadow_scores",
                columns: new[] { "model", "method", "features_as_of" });

            migrationBuilder.CreateIndex(
                name: "ix_shadow_scores_run_id_patient_id_model",
                table: "shadow_scores",
                columns: new[] { "run_id", "patient_id", "model" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_serving_changes");

            migrationBuilder.DropTable(
                name: "shadow_scores");

            migrationBuilder.DropColumn(
                name: "comparisons",
                table: "model_monitoring");

            migrationBuilder.DropColumn(
                name: "shadow",
                table: "model_monitoring");
        }
    }
}
