using System.Text;

namespace ClinicalCds.Application.Fhir;

/// <summary>
/// The paging links of a searchset Bundle (FHIR R4 "Paging": self, next while more remain, previous after the first
/// page), with the search's own parameters and <c>_count</c>/<c>_offset</c> — one rule for every searchable type.
/// </summary>
public static class SearchLinks
{
    public static IReadOnlyList<(string Relation, string Url)> Of(
        string baseUrl, string resourceType, IEnumerable<KeyValuePair<string, string>> parameters, int offset, int count, long total)
    {
        var kept = parameters.Where(p => p.Key is not ("_offset" or "_count")).ToList();
        string Url(int at) => new StringBuilder($"{baseUrl.TrimEnd('/')}/{resourceType}?")
            .AppendJoin('&', kept.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
                .Append($"_count={count}")
                .Append($"_offset={at}"))
            .ToString();

        var links = new List<(string, string)> { ("self", Url(offset)) };
        if (count > 0 && offset + count < total)
        {
            links.Add(("next", Url(offset + count)));
        }

        if (offset > 0)
        {
            links.Add(("previous", Url(Math.Max(0, offset - count))));
        }

        return links;
    }
}
