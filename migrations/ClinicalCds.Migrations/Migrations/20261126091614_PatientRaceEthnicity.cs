using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PatientRaceEthnicity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ethnicity",
                table: "patients",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "race",
                table: "patients",
                type: "text",
                nullable: true);

            // Patients stored before these columns existed (all of them, as the columns are new): read them from the stored Patient resource as the fact
            // mapper does (FactMapper.OmbCategoryOf): the extension's one OMB category (display, else code),
            // "Multiple" when it has several, else its text.
            migrationBuilder.Sql("""
                WITH extension AS (
                    SELECT r.id AS patient_id, e ->> 'url' AS url, e -> 'extension' AS parts
                    FROM fhir_resources r
                    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.content -> 'extension') = 'array' THEN r.content -> 'extension' ELSE '[]'::jsonb END) e
                    WHERE r.resource_type = 'Patient' AND r.is_current
                      AND e ->> 'url' IN ('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
                                          'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity')
                ), category AS (
                    SELECT x.patient_id, x.url,
                           array_agg(DISTINCT COALESCE(p -> 'valueCoding' ->> 'display', p -> 'valueCoding' ->> 'code'))
                               FILTER (WHERE p ->> 'url' = 'ombCategory' AND COALESCE(p -> 'valueCoding' ->> 'display', p -> 'valueCoding' ->> 'code') IS NOT NULL) AS categories,
                           min(p ->> 'valueString') FILTER (WHERE p ->> 'url' = 'text' AND btrim(p ->> 'valueString') <> '') AS text
                    FROM extension x
                    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(x.parts) = 'array' THEN x.parts ELSE '[]'::jsonb END) p
                    GROUP BY x.patient_id, x.url
                ), value AS MATERIALIZED (
                    SELECT patient_id,
                           max(CASE WHEN url LIKE '%us-core-race' THEN resolved END) AS race,
                           max(CASE WHEN url LIKE '%us-core-ethnicity' THEN resolved END) AS ethnicity
                    FROM (SELECT patient_id, url,
                                 CASE WHEN cardinality(categories) = 1 THEN categories[1] WHEN cardinality(categories) > 1 THEN 'Multiple' ELSE text END AS resolved
                          FROM category) c
                    GROUP BY patient_id
                )
                UPDATE patients pt
                SET race = v.race, ethnicity = v.ethnicity
                FROM value v
                WHERE v.patient_id = pt.patient_id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ethnicity",
                table: "patients");

            migrationBuilder.DropColumn(
                name: "race",
                table: "patients");
        }
    }
}
