namespace ClinicalCds.Cli.Commands;

/// <summary>
/// Reports progress on the reporting thread, at once. <see cref="Progress{T}"/> posts to the thread pool, so its
/// callbacks can run after the reporter (and the stream it reads) is gone.
/// </summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
