using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicalCds.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_roles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    user_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_user_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    email_confirmed = table.Column<bool>(type: "boolean", nullable: false),
                    password_hash = table.Column<string>(type: "text", nullable: true),
                    security_stamp = table.Column<string>(type: "text", nullable: true),
                    concurrency_stamp = table.Column<string>(type: "text", nullable: true),
                    phone_number = table.Column<string>(type: "text", nullable: true),
                    phone_number_confirmed = table.Column<bool>(type: "boolean", nullable: false),
                    two_factor_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    lockout_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lockout_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    access_failed_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cds_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    service_id = table.Column<string>(type: "text", nullable: false),
                    hook_instance = table.Column<string>(type: "text", nullable: true),
                    client_id = table.Column<string>(type: "text", nullable: true),
                    user_id = table.Column<string>(type: "text", nullable: true),
                    patient_id = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<int>(type: "integer", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    latency_ms = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cds_audit", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cds_cards",
                columns: table => new
                {
                    uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    service_id = table.Column<string>(type: "text", nullable: false),
                    hook_instance = table.Column<string>(type: "text", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    indicator = table.Column<string>(type: "text", nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    suggestion_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false, defaultValueSql: "'{}'"),
                    override_reasons = table.Column<string[]>(type: "text[]", nullable: false, defaultValueSql: "'{}'"),
                    outcome = table.Column<string>(type: "text", nullable: true),
                    outcome_key = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cds_cards", x => x.uuid);
                });

            migrationBuilder.CreateTable(
                name: "cds_feedback",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    card_uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    service_id = table.Column<string>(type: "text", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    outcome_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    client_id = table.Column<string>(type: "text", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cds_feedback", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cds_token_uses",
                columns: table => new
                {
                    issuer = table.Column<string>(type: "text", nullable: false),
                    jti = table.Column<string>(type: "text", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cds_token_uses", x => new { x.issuer, x.jti });
                });

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
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
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
                    locations = table.Column<string>(type: "jsonb", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: true),
                    part_of = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_encounters", x => x.encounter_id);
                });

            migrationBuilder.CreateTable(
                name: "fhir_initial_load",
                columns: table => new
                {
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    statement = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fhir_initial_load", x => x.ordinal);
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
                    method = table.Column<string>(type: "text", nullable: false),
                    service = table.Column<string>(type: "text", nullable: true),
                    discharge = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_latest_risk_scores", x => new { x.patient_id, x.model });
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
                name: "model_drift",
                columns: table => new
                {
                    method = table.Column<string>(type: "text", nullable: false),
                    until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    targets = table.Column<int>(type: "integer", nullable: false),
                    alarms = table.Column<int>(type: "integer", nullable: false),
                    features = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_drift", x => new { x.method, x.until });
                });

            migrationBuilder.CreateTable(
                name: "model_monitoring",
                columns: table => new
                {
                    method = table.Column<string>(type: "text", nullable: false),
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rows = table.Column<int>(type: "integer", nullable: false),
                    positives = table.Column<int>(type: "integer", nullable: false),
                    metrics = table.Column<string>(type: "jsonb", nullable: false),
                    subgroups = table.Column<string>(type: "jsonb", nullable: false),
                    comparisons = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    shadow = table.Column<bool>(type: "boolean", nullable: false),
                    late = table.Column<int>(type: "integer", nullable: false),
                    median_lag_hours = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_monitoring", x => new { x.method, x.month });
                });

            migrationBuilder.CreateTable(
                name: "model_performance",
                columns: table => new
                {
                    method = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    from = table.Column<DateOnly>(type: "date", nullable: false),
                    until = table.Column<DateOnly>(type: "date", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    metrics = table.Column<string>(type: "jsonb", nullable: true),
                    card_auroc = table.Column<double>(type: "double precision", nullable: false),
                    alarms = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_performance", x => x.method);
                });

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
                name: "patient_review_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    user_name = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patient_review_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "patient_reviews",
                columns: table => new
                {
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    reviewed = table.Column<bool>(type: "boolean", nullable: false),
                    reviewed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reviewed_by = table.Column<string>(type: "text", nullable: true),
                    assignee = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patient_reviews", x => new { x.patient_id, x.model });
                });

            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    patient_id = table.Column<string>(type: "text", nullable: false),
                    birth_date = table.Column<DateOnly>(type: "date", nullable: true),
                    sex = table.Column<string>(type: "text", nullable: true),
                    deceased = table.Column<bool>(type: "boolean", nullable: false),
                    deceased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    name = table.Column<string>(type: "text", nullable: true),
                    mrn = table.Column<string>(type: "text", nullable: true),
                    race = table.Column<string>(type: "text", nullable: true),
                    ethnicity = table.Column<string>(type: "text", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "worklist_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    user_name = table.Column<string>(type: "text", nullable: false),
                    patient_id = table.Column<string>(type: "text", nullable: true),
                    action = table.Column<string>(type: "text", nullable: false),
                    detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_worklist_audit", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    role_id = table.Column<string>(type: "text", nullable: false),
                    claim_type = table.Column<string>(type: "text", nullable: true),
                    claim_value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_role_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_asp_net_role_claims_asp_net_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "AspNetRoles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    claim_type = table.Column<string>(type: "text", nullable: true),
                    claim_value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_asp_net_user_claims_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    login_provider = table.Column<string>(type: "text", nullable: false),
                    provider_key = table.Column<string>(type: "text", nullable: false),
                    provider_display_name = table.Column<string>(type: "text", nullable: true),
                    user_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_logins", x => new { x.login_provider, x.provider_key });
                    table.ForeignKey(
                        name: "fk_asp_net_user_logins_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    role_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_roles", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_asp_net_user_roles_asp_net_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "AspNetRoles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_asp_net_user_roles_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    login_provider = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_tokens", x => new { x.user_id, x.login_provider, x.name });
                    table.ForeignKey(
                        name: "fk_asp_net_user_tokens_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
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
                    method = table.Column<string>(type: "text", nullable: true),
                    inputs = table.Column<string>(type: "jsonb", nullable: true),
                    not_recorded = table.Column<string>(type: "text", nullable: true)
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
                name: "ix_asp_net_role_claims_role_id",
                table: "AspNetRoleClaims",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "normalized_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_claims_user_id",
                table: "AspNetUserClaims",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_logins_user_id",
                table: "AspNetUserLogins",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_roles_role_id",
                table: "AspNetUserRoles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "normalized_email");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "normalized_user_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cds_audit_at",
                table: "cds_audit",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_cds_audit_patient_id_at",
                table: "cds_audit",
                columns: new[] { "patient_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_cds_cards_patient_id_issued_at",
                table: "cds_cards",
                columns: new[] { "patient_id", "issued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_cds_feedback_card_uuid",
                table: "cds_feedback",
                column: "card_uuid");

            migrationBuilder.CreateIndex(
                name: "ix_cds_feedback_content_hash",
                table: "cds_feedback",
                column: "content_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cds_token_uses_expires_at",
                table: "cds_token_uses",
                column: "expires_at");

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
                name: "ix_hook_scores_method_patient_id_encounter_id_features_as_of",
                table: "hook_scores",
                columns: new[] { "method", "patient_id", "encounter_id", "features_as_of" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_hook_scores_model_features_as_of",
                table: "hook_scores",
                columns: new[] { "model", "features_as_of" });

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_discharge",
                table: "latest_risk_scores",
                columns: new[] { "model", "discharge" });

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_service",
                table: "latest_risk_scores",
                columns: new[] { "model", "service" });

            migrationBuilder.CreateIndex(
                name: "ix_latest_risk_scores_model_tier_rank_probability",
                table: "latest_risk_scores",
                columns: new[] { "model", "tier_rank", "probability" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_medication_requests_patient_id_authored_on",
                table: "medication_requests",
                columns: new[] { "patient_id", "authored_on" });

            migrationBuilder.CreateIndex(
                name: "ix_model_monitoring_model_month",
                table: "model_monitoring",
                columns: new[] { "model", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_model_serving_changes_model_at",
                table: "model_serving_changes",
                columns: new[] { "model", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_observations_patient_id_code_effective",
                table: "observations",
                columns: new[] { "patient_id", "code", "effective" });

            migrationBuilder.CreateIndex(
                name: "ix_patient_review_events_patient_id_at",
                table: "patient_review_events",
                columns: new[] { "patient_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_patient_reviews_assignee",
                table: "patient_reviews",
                column: "assignee");

            migrationBuilder.CreateIndex(
                name: "ix_procedures_patient_id_performed_start",
                table: "procedures",
                columns: new[] { "patient_id", "performed_start" });

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

            migrationBuilder.CreateIndex(
                name: "ix_shadow_scores_model_method_features_as_of",
                table: "shadow_scores",
                columns: new[] { "model", "method", "features_as_of" });

            migrationBuilder.CreateIndex(
                name: "ix_shadow_scores_run_id_patient_id_model",
                table: "shadow_scores",
                columns: new[] { "run_id", "patient_id", "model" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_worklist_audit_at",
                table: "worklist_audit",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_worklist_audit_patient_id_at",
                table: "worklist_audit",
                columns: new[] { "patient_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "cds_audit");

            migrationBuilder.DropTable(
                name: "cds_cards");

            migrationBuilder.DropTable(
                name: "cds_feedback");

            migrationBuilder.DropTable(
                name: "cds_token_uses");

            migrationBuilder.DropTable(
                name: "conditions");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "encounters");

            migrationBuilder.DropTable(
                name: "fhir_initial_load");

            migrationBuilder.DropTable(
                name: "fhir_resources");

            migrationBuilder.DropTable(
                name: "hook_scores");

            migrationBuilder.DropTable(
                name: "latest_risk_scores");

            migrationBuilder.DropTable(
                name: "medication_requests");

            migrationBuilder.DropTable(
                name: "model_drift");

            migrationBuilder.DropTable(
                name: "model_monitoring");

            migrationBuilder.DropTable(
                name: "model_performance");

            migrationBuilder.DropTable(
                name: "model_serving_changes");

            migrationBuilder.DropTable(
                name: "observations");

            migrationBuilder.DropTable(
                name: "patient_review_events");

            migrationBuilder.DropTable(
                name: "patient_reviews");

            migrationBuilder.DropTable(
                name: "patients");

            migrationBuilder.DropTable(
                name: "procedures");

            migrationBuilder.DropTable(
                name: "result_feed_checks");

            migrationBuilder.DropTable(
                name: "risk_scores");

            migrationBuilder.DropTable(
                name: "score_run_chunks");

            migrationBuilder.DropTable(
                name: "shadow_scores");

            migrationBuilder.DropTable(
                name: "worklist_audit");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "score_runs");
        }
    }
}
