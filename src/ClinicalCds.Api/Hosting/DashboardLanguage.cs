using System.Text;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// The jobs dashboard's pages say they are English. Hangfire writes <c>&lt;html lang="…"&gt;</c> from the current UI
/// culture's two-letter name, which under invariant globalization (Directory.Build.props) is "iv" — no language a screen
/// reader knows — and no culture can be set instead in that mode. The page is rewritten in place ("iv" and "en" are
/// the same length, so a Content-Length stays true); anything not HTML passes through untouched.
/// </summary>
public static class DashboardLanguage
{
    private static readonly byte[] Invariant = Encoding.ASCII.GetBytes("<html lang=\"iv\">");
    private static readonly byte[] English = Encoding.ASCII.GetBytes("<html lang=\"en\">");

    public static IApplicationBuilder UseDashboardLanguage(this IApplicationBuilder app, PathString dashboard) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(dashboard))
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
            && bytes.Span.IndexOf(Invariant) is var at and >= 0)
        {
            English.CopyTo(bytes.Span[at..]);
        }

        await original.WriteAsync(bytes, context.RequestAborted);
    });
}
