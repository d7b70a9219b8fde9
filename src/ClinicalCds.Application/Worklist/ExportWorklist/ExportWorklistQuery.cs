using System.Globalization;
using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Worklist.GetWorklist;
using Mediator;

namespace ClinicalCds.Application.Worklist.ExportWorklist;

/// <summary>The whole worklist for a filter (every page) as CSV for <paramref name="UserName"/>; each page read is audited.</summary>
public sealed record ExportWorklistQuery(WorklistFilter Filter, string UserName) : IQuery<WorklistExport>;

/// <summary>A CSV document (RFC 4180, CRLF) and the file name to offer it under.</summary>
public sealed record WorklistExport(string FileName, string Csv);

public sealed class ExportWorklistHandler(IWorklistStore store, Domain.Risks.RiskCatalog risks) : IQueryHandler<ExportWorklistQuery, WorklistExport>
{
    public const string Channel = "export-csv";

    private const string Header = "patient_id,name,mrn,model,probability,tier,previous_tier,tier_changed,top_factor,service,discharge,reviewed,assignee,as_of\r\n";

    public async ValueTask<WorklistExport> Handle(ExportWorklistQuery query, CancellationToken cancellationToken)
    {
        var filter = (query.Filter with { Page = 1, PageSize = WorklistFilter.MaxPageSize }).Normalized(risks);
        var csv = new StringBuilder(Header);
        long total;
        do
        {
            var page = await store.QueryAsync(filter, query.UserName, cancellationToken);
            await store.AuditAsync(query.UserName, null, Channel, GetWorklistHandler.AuditDetail(page), cancellationToken);
            foreach (var row in page.Rows)
            {
                csv.AppendJoin(',', [
                    Field(row.PatientId), Field(row.Name), Field(row.Mrn), Field(row.Model), row.Probability?.ToString("0.####", CultureInfo.InvariantCulture) ?? string.Empty,
                    Field(row.Tier), Field(row.PreviousTier), row.TierChanged ? "true" : "false", Field(row.TopFactor), Field(row.Service),
                    row.Discharge?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty, row.Reviewed ? "true" : "false",
                    Field(row.Assignee), row.AsOf.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)]).Append("\r\n");
            }

            total = page.Total;
            filter = filter with { Page = filter.Page + 1 };
        }
        while ((long)(filter.Page - 1) * filter.PageSize < total);

        return new WorklistExport($"worklist-{filter.Model}.csv", csv.ToString());
    }

    /// <summary>RFC 4180 field; a leading =, +, - or @ is quoted with an apostrophe so spreadsheets never run it as a formula.</summary>
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
