using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// A fast, conservative check of FHIR R4 JSON against the same model the strict Firely parser uses (its
/// <see cref="ClassMapping"/>s): known element names in their exact case, single values and arrays where the model has
/// them, choice types from the allowed list, required elements present, no duplicates, no empty arrays, objects or
/// strings, primitive literals checked by Firely's own validators and coded values against their enumerations.
/// It answers <c>true</c> only for resources it is certain the strict parser accepts; anything unusual (extensions on
/// primitives, <c>null</c>s, escaped names, types it does not know) answers <c>false</c>, and the caller then lets the
/// strict parser decide and explain. It builds no objects, so accepting a valid resource costs a fraction of a parse.
/// Soundness (certain ⇒ Firely accepts) is tested differentially on real resources and thousands of mutants of them.
/// </summary>
public static class StructureCheck
{
    private static readonly ModelInspector Inspector = ModelInfo.ModelInspector;
    private static readonly Lock Gate = new();
    private static readonly Dictionary<ClassMapping, Shape> Built = [];
    private static FrozenDictionary<string, Shape> resources = FrozenDictionary<string, Shape>.Empty;

    /// <summary>True only when the strict parser certainly accepts <paramref name="resource"/> as a resource.</summary>
    public static bool IsCertainlyValid(JsonElement resource) =>
        resource.ValueKind == JsonValueKind.Object
        && resource.TryGetProperty("resourceType", out var type)
        && type.ValueKind == JsonValueKind.String
        && ResourceShape(type.GetString()!) is { } shape
        && IsValidObject(resource, shape, isResource: true);

    private static Shape? ResourceShape(string resourceType)
    {
        if (resources.TryGetValue(resourceType, out var known))
        {
            return known;
        }

        var mapping = Inspector.FindClassMapping(resourceType);
        if (mapping is not { IsResource: true, IsAbstract: not true } || mapping.Name != resourceType)
        {
            return null;
        }

        lock (Gate)
        {
            // Shapes are built under the lock and published only when whole, so readers never see one half-built.
            if (!resources.TryGetValue(resourceType, out var shape))
            {
                shape = Build(mapping, Built);
                resources = resources.Append(new KeyValuePair<string, Shape>(resourceType, shape)).ToFrozenDictionary(StringComparer.Ordinal);
            }

            return shape;
        }
    }

    private static bool IsValidObject(JsonElement value, Shape shape, bool isResource)
    {
        Span<bool> seen = stackalloc bool[shape.Count];
        Span<char> name = stackalloc char[MaxNameLength];
        var properties = 0;
        var sawType = false;
        foreach (var property in value.EnumerateObject())
        {
            properties++;
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.Length is 0 or > MaxNameLength || Ascii.ToUtf16(raw, name, out var length) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            var key = name[..length];
            if (isResource && key.SequenceEqual("resourceType"))
            {
                if (sawType)
                {
                    return false;
                }

                sawType = true;
                continue;
            }

            if (!shape.Members.TryGetValue(key, out var member) || seen[member.Ordinal])
            {
                return false;
            }

            seen[member.Ordinal] = true;
            if (!IsValidMember(property.Value, member))
            {
                return false;
            }
        }

        if (properties == (isResource ? 1 : 0))
        {
            return false;
        }

        foreach (var required in shape.Required)
        {
            if (!seen[required])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidMember(JsonElement value, Member member)
    {
        if (!member.IsCollection)
        {
            return IsValidItem(value, member);
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            return false;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (!IsValidItem(item, member))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidItem(JsonElement value, Member member)
    {
        if (member.Primitive is { } primitive)
        {
            return primitive(value);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (member.Shape is { } shape)
        {
            return IsValidObject(value, shape, isResource: false);
        }

        // A resource inside a resource (contained): its own type decides its shape.
        return IsCertainlyValid(value);
    }

    private const int MaxNameLength = 64;

    /// <summary>The members of one FHIR type by JSON name (each choice type spelled out), and the required ones.</summary>
    private sealed class Shape
    {
        public FrozenDictionary<string, Member>.AlternateLookup<ReadOnlySpan<char>> Members { get; set; }

        public int Count { get; set; }

        public int[] Required { get; set; } = [];
    }

    /// <summary>
    /// One JSON property: a primitive (its literal check), a complex type (its shape) or, with neither, a resource.
    /// Members of one choice element share an ordinal, so two of them in one object count as a duplicate.
    /// </summary>
    private sealed record Member(int Ordinal, bool IsCollection, Func<JsonElement, bool>? Primitive, Shape? Shape);

    private static Shape Build(ClassMapping mapping, Dictionary<ClassMapping, Shape> built)
    {
        if (built.TryGetValue(mapping, out var existing))
        {
            return existing;
        }

        var shape = new Shape();
        built[mapping] = shape;
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        var required = new List<int>();
        var ordinal = 0;
        foreach (var property in mapping.PropertyMappings)
        {
            var current = ordinal++;
            if (property.IsMandatoryElement)
            {
                required.Add(current);
            }

            if (property.Choice == ChoiceType.DatatypeChoice)
            {
                foreach (var type in property.FhirTypeMappings)
                {
                    if (MemberOf(current, property.IsCollection, type, built) is { } choice)
                    {
                        members[property.Name + char.ToUpperInvariant(type.Name[0]) + type.Name[1..]] = choice;
                    }
                }
            }
            else if (property.Choice == ChoiceType.ResourceChoice)
            {
                members[property.Name] = new Member(current, property.IsCollection, null, null);
            }
            else if (MemberOf(current, property.IsCollection, property.PropertyTypeMapping, built, property.ImplementingType) is { } member)
            {
                members[property.Name] = member;
            }
        }

        shape.Count = ordinal;
        shape.Required = [.. required];
        shape.Members = members.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        return shape;
    }

    /// <summary>A member of the given type, or null when this check does not know the type (its name is then unknown, so never certain).</summary>
    private static Member? MemberOf(int ordinal, bool isCollection, ClassMapping type, Dictionary<ClassMapping, Shape> built, Type? implementing = null)
    {
        if (type.IsFhirPrimitive || typeof(PrimitiveType).IsAssignableFrom(implementing ?? type.NativeType))
        {
            return LiteralCheck(implementing ?? type.NativeType) is { } check ? new Member(ordinal, isCollection, check, null) : null;
        }

        return type.IsResource ? null : new Member(ordinal, isCollection, null, Build(type, built));
    }

    /// <summary>
    /// How a JSON value is checked for each FHIR primitive type: the right JSON kind, then the literal — its common
    /// spellings by <see cref="FastLiterals"/>, the rest by Firely's own validator for the type (uri-like ones
    /// remembered, since a population repeats a few hundred of them).
    /// </summary>
    private static Func<JsonElement, bool>? LiteralCheck(Type type)
    {
        if (type == typeof(FhirBoolean))
        {
            return v => v.ValueKind is JsonValueKind.True or JsonValueKind.False;
        }

        if (type == typeof(Integer))
        {
            return v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _);
        }

        if (type == typeof(PositiveInt))
        {
            return v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 1;
        }

        if (type == typeof(UnsignedInt))
        {
            return v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0;
        }

        if (type == typeof(FhirDecimal))
        {
            return v => v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out _);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Code<>))
        {
            var literals = type.GetGenericArguments()[0].GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<EnumLiteralAttribute>()?.Literal)
                .OfType<string>()
                .Where(Code.IsValidValue)
                .ToFrozenSet(StringComparer.Ordinal)
                .GetAlternateLookup<ReadOnlySpan<char>>();
            return v => Raw(v) is { IsEmpty: false } raw && raw.Length <= MaxNameLength && IsEnumLiteral(raw, literals);
        }

        if (QuickLiterals.TryGetValue(type, out var quick))
        {
            return Literal(quick.Fast, quick.Firely);
        }

        var validator = type.GetMethod("IsValidValue", BindingFlags.Public | BindingFlags.Static, [typeof(string)]);
        if (validator is null || validator.ReturnType != typeof(bool))
        {
            return null;
        }

        var firely = validator.CreateDelegate<Func<string, bool>>();
        if (!UriLike.Contains(type))
        {
            return Literal(_ => false, firely);
        }

        var remembered = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        return Literal(_ => false, s => remembered.TryGetValue(s, out var known) ? known
            : remembered.Count < MaxRemembered ? remembered.GetOrAdd(s, firely(s)) : firely(s));
    }

    /// <summary>The primitive types whose common spellings <see cref="FastLiterals"/> accepts before Firely's validator is asked.</summary>
    private static readonly Dictionary<Type, (FastCheck Fast, Func<string, bool> Firely)> QuickLiterals = new()
    {
        [typeof(FhirString)] = (FastLiterals.IsString, FhirString.IsValidValue),
        [typeof(Markdown)] = (FastLiterals.IsString, FhirString.IsValidValue),
        [typeof(XHtml)] = (FastLiterals.IsString, FhirString.IsValidValue),
        [typeof(Code)] = (FastLiterals.IsCode, Code.IsValidValue),
        [typeof(Id)] = (FastLiterals.IsId, Id.IsValidValue),
        [typeof(Date)] = (FastLiterals.IsDate, Date.IsValidValue),
        [typeof(FhirDateTime)] = (FastLiterals.IsDateTime, FhirDateTime.IsValidValue),
        [typeof(Instant)] = (FastLiterals.IsInstant, Instant.IsValidValue),
    };

    /// <summary>Uri-like types (none derives from another): Firely's verdict on each value is remembered.</summary>
    private static readonly HashSet<Type> UriLike = [typeof(FhirUri), typeof(Canonical), typeof(FhirUrl), typeof(Oid), typeof(Uuid)];

    private const int MaxRemembered = 10_000;

    /// <summary>A string literal: accepted quickly when <paramref name="fast"/> is sure, otherwise as Firely's validator says.</summary>
    private static Func<JsonElement, bool> Literal(FastCheck fast, Func<string, bool> isValid) =>
        v => v.ValueKind == JsonValueKind.String
             && (fast(Raw(v)) || (v.GetString() is { Length: > 0 } s && isValid(s)));

    private delegate bool FastCheck(ReadOnlySpan<byte> raw);

    /// <summary>The raw UTF-8 between a JSON string's quotes (escapes not decoded), or empty for other values.</summary>
    private static ReadOnlySpan<byte> Raw(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? JsonMarshal.GetRawUtf8Value(value)[1..^1] : default;

    private static bool IsEnumLiteral(ReadOnlySpan<byte> raw, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> literals)
    {
        Span<char> text = stackalloc char[MaxNameLength];
        return Ascii.ToUtf16(raw, text, out var length) == System.Buffers.OperationStatus.Done && literals.Contains(text[..length]);
    }
}
