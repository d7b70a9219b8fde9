using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PopulationScoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "latest_risk_scores",
                columns: table => new
                {
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: false),
                    features_as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    probability = table.Column<double>(type: "double precision", nullable: true),
                    tier = table.Column<string>(type: "text", nullable: false),
                    tier_rank = table.Column<int>(type: "integer", nullable: false),
                    previous_tier = table.Column<string>(type: "text", nullable: true),
                    previous_probability = table.Column<double>(type: "double precision", nullable: true),
                    tier_changed = table.Column<bool>(type: "boolean", nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false),
                    top_factor = table.Column<string>(type: "text", nullable: true),
                    published_score = table.Column<string>(type: "text", nullable: false),
                    method = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_latest_risk_scores", x => new { x.patient_id, x.model });
                });

            migrationBuilder.CreateTable(
                name: "score_runs",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    request_key = table.Column<string>(type: "text", nullable: false),
                    cohort = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    patients = table.Column<int>(type: "integer", nullable: false),
                    chunks = table.Column<int>(type: "integer", nullable: false),
                    scored = table.Column<int>(type: "integer", nullable: false),
                    skipped = table.Column<int>(type: "integer", nullable: false),
                    failed = table.Column<int>(type: "integer", nullable: false),
                    tier_changes = table.Column<int>(type: "integer", nullable: false),
                    skip_reasons = table.Column<string>(type: "jsonb", nullable: false),
                    methods = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_score_runs", x => x.run_id);
                });

            migrationBuilder.CreateTable(
                name: "risk_scores",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    encounter_id = table.Column<string>(type: "text", nullable: true),
                    features_as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    probability = table.Column<double>(type: "double precision", nullable: true),
                    tier = table.Column<string>(type: "text", nullable: true),
                    previous_tier = table.Column<string>(type: "text", nullable: true),
                    summary = table.Column<string>(type: "text", nullable: true),
                    top_factors = table.Column<string>(type: "jsonb", nullable: true),
                    published_score = table.Column<string>(type: "text", nullable: true),
                    method = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_risk_scores", x => new { x.run_id, x.patient_id, x.model });
                    table.ForeignKey(
                        name: "fk_risk_scores_score_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "score_runs",
                        principalColumn: "run_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "score_run_chunks",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    chunk_no = table.Column<int>(type: "integer", nullable: false),
                    patient_ids = table.Column<string[]>(type: "text[]", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    worker = table.Column<string>(type: "text", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    elapsed_ms = table.Column<double>(type: "double precision", nullable: true),
                    delivery_status = table.Column<string>(type: "text", nullable: true),
                    delivery_attempts = table.Column<int>(type: "integer", nullable: false),
                    delivery_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_score_run_chunks", x => new { x.run_id, x.chunk_no });
                    table.ForeignKey(
                        name: "fk_score_run_chunks_score_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "score_runs",
                        principalColumn: "run_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_tier_rank_probability",
                table: "latest_risk_scores",
                columns: new[] { "model", "tier_rank", "probability" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_risk_scores_patient_id_model_as_of",
                table: "risk_scores",
                columns: new[] { "patient_id", "model", "as_of" });

            migrationBuilder.CreateIndex(
                name: "ix_score_runs_cohort_model_created_at",
                table: "score_runs",
                columns: new[] { "cohort", "model", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_score_runs_request_key",
                table: "score_runs",
                column: "request_key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "latest_risk_scores");

            migrationBuilder.DropTable(
                name: "risk_scores");

            migrationBuilder.DropTable(
                name: "score_run_chunks");

            migrationBuilder.DropTable(
                name: "score_runs");
        }
    }
}
