using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>Typed, null-aware writes for Npgsql binary COPY rows.</summary>
internal static class CopyWriter
{
    public static Task Text(this NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
        value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);

    public static Task Jsonb(this NpgsqlBinaryImporter w, string value, CancellationToken ct) =>
        w.WriteAsync(value, NpgsqlDbType.Jsonb, ct);

    /// <summary>UTF-8 JSON as received, sent as is (no detour through a UTF-16 string).</summary>
    public static Task Jsonb(this NpgsqlBinaryImporter w, byte[] utf8Json, CancellationToken ct) =>
        w.WriteAsync(utf8Json, NpgsqlDbType.Jsonb, ct);

    public static Task Instant(this NpgsqlBinaryImporter w, DateTimeOffset? value, CancellationToken ct) =>
        value is { } v ? w.WriteAsync(v.UtcDateTime, NpgsqlDbType.TimestampTz, ct) : w.WriteNullAsync(ct);

    public static Task Date(this NpgsqlBinaryImporter w, DateOnly? value, CancellationToken ct) =>
        value is { } v ? w.WriteAsync(v, NpgsqlDbType.Date, ct) : w.WriteNullAsync(ct);

    public static Task Number(this NpgsqlBinaryImporter w, double? value, CancellationToken ct) =>
        value is { } v ? w.WriteAsync(v, NpgsqlDbType.Double, ct) : w.WriteNullAsync(ct);

    public static Task Integer(this NpgsqlBinaryImporter w, int value, CancellationToken ct) =>
        w.WriteAsync(value, NpgsqlDbType.Integer, ct);

    public static Task Boolean(this NpgsqlBinaryImporter w, bool value, CancellationToken ct) =>
        w.WriteAsync(value, NpgsqlDbType.Boolean, ct);

    public static Task Bytes(this NpgsqlBinaryImporter w, byte[] value, CancellationToken ct) =>
        w.WriteAsync(value, NpgsqlDbType.Bytea, ct);
}
