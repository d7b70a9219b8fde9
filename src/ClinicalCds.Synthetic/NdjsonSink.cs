using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Synthetic;

/// <summary>
/// Per-resource-type NDJSON buffers for one chunk of patients, with the FHIR JSON shapes the generator writes.
/// The chunks are written out in patient order, so parallel generation still gives byte-identical files.
/// </summary>
internal sealed class NdjsonSink
{
    private readonly Dictionary<string, (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)> _types = new(StringComparer.Ordinal);
    private Utf8JsonWriter? _current;
    private ArrayBufferWriter<byte>? _currentBuffer;

    public IEnumerable<(string Type, ReadOnlyMemory<byte> Bytes)> Contents =>
        _types.Select(t => (t.Key, t.Value.Buffer.WrittenMemory));

    /// <summary>Appends everything written here to <paramref name="target"/>, type by type (a kept patient's resources).</summary>
    public void CopyTo(NdjsonSink target)
    {
        foreach (var (type, (buffer, _)) in _types)
        {
            if (!target._types.TryGetValue(type, out var into))
            {
                var created = new ArrayBufferWriter<byte>(64 * 1024);
                into = (created, new Utf8JsonWriter(created));
                target._types[type] = into;
            }

            into.Buffer.Write(buffer.WrittenSpan);
        }
    }

    public static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Starts a resource; the caller writes its elements with the returned writer and calls <see cref="End"/>.</summary>
    public Utf8JsonWriter Begin(string resourceType, string id)
    {
        if (!_types.TryGetValue(resourceType, out var target))
        {
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            target = (buffer, new Utf8JsonWriter(buffer));
            _types[resourceType] = target;
        }

        _current = target.Writer;
        _currentBuffer = target.Buffer;
        _current.WriteStartObject();
        _current.WriteString("resourceType", resourceType);
        _current.WriteString("id", id);
        return _current;
    }

    public void End()
    {
        _current!.WriteEndObject();
        _current.Flush();
        _currentBuffer!.Write("\n"u8);
        _current.Reset(_currentBuffer!);
    }

    public static void Reference(Utf8JsonWriter w, string property, string reference, string? display = null)
    {
        w.WriteStartObject(property);
        w.WriteString("reference", reference);
        if (display is not null)
        {
            w.WriteString("display", display);
        }

        w.WriteEndObject();
    }

    public static void Concept(Utf8JsonWriter w, string? property, params (string System, string Code, string Display)[] codings)
    {
        if (property is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(property);
        }

        w.WriteStartArray("coding");
        foreach (var (system, code, display) in codings)
        {
            Coding(w, null, system, code, display);
        }

        w.WriteEndArray();
        w.WriteString("text", codings[0].Display);
        w.WriteEndObject();
    }

    public static void ConceptArray(Utf8JsonWriter w, string property, string system, string code, string display)
    {
        w.WriteStartArray(property);
        Concept(w, null, (system, code, display));
        w.WriteEndArray();
    }

    public static void Coding(Utf8JsonWriter w, string? property, string system, string code, string display)
    {
        if (property is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(property);
        }

        w.WriteString("system", system);
        w.WriteString("code", code);
        w.WriteString("display", display);
        w.WriteEndObject();
    }

    public static void Period(Utf8JsonWriter w, string property, DateTime start, DateTime? end)
    {
        w.WriteStartObject(property);
        w.WriteString("start", Instant(start));
        if (end is { } e)
        {
            w.WriteString("end", Instant(e));
        }

        w.WriteEndObject();
    }

    public static void Quantity(Utf8JsonWriter w, string property, double value, string unit)
    {
        w.WriteStartObject(property);
        w.WriteNumber("value", value);
        w.WriteString("unit", unit);
        w.WriteString("system", CodeSystems.Ucum);
        w.WriteString("code", unit);
        w.WriteEndObject();
    }

    public static void Category(Utf8JsonWriter w, string system, string code, string display) => ConceptArray(w, "category", system, code, display);
}
