using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class InitialFhirStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "conditions",
                columns: table => new
                {
                    condition_id = table.Column<string>(type: "text", nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: true),
                    system = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    display = table.Column<string>(type: "text", nullable: true),
                    clinical_status = table.Column<string>(type: "text", nullable: true),
                    verification_status = table.Column<string>(type: "text", nullable: true),
                    category = table.Column<string>(type: "text", nullable: true),
                    onset = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    recorded = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    abatement = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conditions", x => new { x.condition_id, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "encounters",
                columns: table => new
                {
                    encounter_id = table.Column<string>(type: "text", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: true),
                    class_code = table.Column<string>(type: "text", nullable: true),
                    type_system = table.Column<string>(type: "text", nullable: true),
                    type_code = table.Column<string>(type: "text", nullable: true),
                    type_display = table.Column<string>(type: "text", nullable: true),
                    period_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    period_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    priority_code = table.Column<string>(type: "text", nullable: true),
                    admit_source = table.Column<string>(type: "text", nullable: true),
                    discharge_disposition = table.Column<string>(type: "text", nullable: true),
                    service_type = table.Column<string>(type: "text", nullable: true),
                    had_intensive_care = table.Column<bool>(type: "boolean", nullable: false),
                    locations = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_encounters", x => x.encounter_id);
                });

            migrationBuilder.CreateTable(
                name: "fhir_resources",
                columns: table => new
                {
                    resource_type = table.Column<string>(type: "text", nullable: false),
                    id = table.Column<string>(type: "text", nullable: false),
                    version_id = table.Column<int>(type: "integer", nullable: false),
                    is_current = table.Column<bool>(type: "boolean", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: true),
                    last_updated = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fhir_resources", x => new { x.resource_type, x.id, x.version_id });
                });

            migrationBuilder.CreateTable(
                name: "medication_requests",
                columns: table => new
                {
                    medication_request_id = table.Column<string>(type: "text", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: true),
                    system = table.Column<string>(type: "text", nullable: true),
                    code = table.Column<string>(type: "text", nullable: true),
                    display = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: true),
                    intent = table.Column<string>(type: "text", nullable: true),
                    authored_on = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_medication_requests", x => x.medication_request_id);
                });

            migrationBuilder.CreateTable(
                name: "observations",
                columns: table => new
                {
                    observation_id = table.Column<string>(type: "text", nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: true),
                    system = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: true),
                    unit = table.Column<string>(type: "text", nullable: true),
                    original_value = table.Column<double>(type: "double precision", nullable: true),
                    original_unit = table.Column<string>(type: "text", nullable: true),
                    value_code = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: true),
                    effective = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observations", x => new { x.observation_id, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    birth_date = table.Column<DateOnly>(type: "date", nullable: true),
                    sex = table.Column<string>(type: "text", nullable: true),
                    deceased = table.Column<bool>(type: "boolean", nullable: false),
                    deceased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patients", x => x.patient_id);
                });

            migrationBuilder.CreateTable(
                name: "procedures",
                columns: table => new
                {
                    procedure_id = table.Column<string>(type: "text", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    encounter_id = table.Column<string>(type: "text", nullable: true),
                    system = table.Column<string>(type: "text", nullable: true),
                    code = table.Column<string>(type: "text", nullable: true),
                    display = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: true),
                    performed_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    performed_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_procedures", x => x.procedure_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_conditions_patient_id_recorded",
                table: "conditions",
                columns: new[] { "patient_id", "recorded" });

            migrationBuilder.CreateIndex(
                name: "ix_encounters_patient_id_period_start",
                table: "encounters",
                columns: new[] { "patient_id", "period_start" });

            migrationBuilder.CreateIndex(
                name: "ix_fhir_resources_patient_type",
                table: "fhir_resources",
                columns: new[] { "patient_id", "resource_type" },
                filter: "is_current AND patient_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ux_fhir_resources_current",
                table: "fhir_resources",
                columns: new[] { "resource_type", "id" },
                unique: true,
                filter: "is_current");

            migrationBuilder.CreateIndex(
                name: "ix_medication_requests_patient_id_authored_on",
                table: "medication_requests",
                columns: new[] { "patient_id", "authored_on" });

            migrationBuilder.CreateIndex(
                name: "ix_observations_patient_id_code_effective",
                table: "observations",
                columns: new[] { "patient_id", "code", "effective" });

            migrationBuilder.CreateIndex(
                name: "ix_procedures_patient_id_performed_start",
                table: "procedures",
                columns: new[] { "patient_id", "performed_start" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conditions");

            migrationBuilder.DropTable(
                name: "encounters");

            migrationBuilder.DropTable(
                name: "fhir_resources");

            migrationBuilder.DropTable(
                name: "medication_requests");

            migrationBuilder.DropTable(
                name: "observations");

            migrationBuilder.DropTable(
                name: "patients");

            migrationBuilder.DropTable(
                name: "procedures");
        }
    }
}
