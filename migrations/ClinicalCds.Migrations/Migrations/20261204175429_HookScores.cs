using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class HookScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "hook_scores",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    model = table.Column<string>(type: "text", nullable: false),
                    method = table.Column<string>(type: "text", nullable: false),
                    hook_instance = table.Column<string>(type: "text", nullable: true),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: false),
                    features_as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    probability = table.Column<double>(type: "double precision", nullable: false),
                    tier = table.Column<string>(type: "text", nullable: false),
                    inputs = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hook_scores", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_hook_scores_method_patient_id_encounter_id_features_as_of",
                table: "hook_scores",
                columns: new[] { "method", "patient_id", "encounter_id", "features_as_of" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_hook_scores_model_features_as_of",
                table: "hook_scores",
                columns: new[] { "model", "features_as_of" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "hook_scores");
        }
    }
}
