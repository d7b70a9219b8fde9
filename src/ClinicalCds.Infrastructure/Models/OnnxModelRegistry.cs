using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Risks;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ClinicalCds.Infrastructure.Models;

/// <summary>
/// A model served by ONNX Runtime: one thread-safe session scoring complete rows; probabilities, missing inputs and
/// explanations come from <see cref="ModelInference"/>.
/// </summary>
public sealed class OnnxRiskModel : IRiskModel, IDisposable
{
    private readonly InferenceSession _session;

    internal OnnxRiskModel(string folder, ModelCard card, InferenceSession session, TreeEnsemble trees, InputDependence? dependence)
    {
        Folder = Path.GetFullPath(folder);
        Card = card;
        _session = session;
        Trees = trees;
        Dependence = dependence;
    }

    public ModelCard Card { get; }

    public TreeEnsemble Trees { get; }

    public InputDependence? Dependence { get; }

    /// <summary>The models/&lt;name&gt;/&lt;version&gt;/ folder this model was loaded from.</summary>
    public string Folder { get; }

    public double[] RawScores(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var width = Card.Features.Count;
        var data = new float[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != width)
            {
                throw new ArgumentException($"Model {Card.Name} {Card.Version} needs rows of {width} features.", nameof(rows));
            }

            rows[i].CopyTo(data, i * width);
        }

        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(Card.OnnxInput, new DenseTensor<float>(data, [rows.Count, width]))]);
        return results.First(r => r.Name == Card.OnnxOutput).AsEnumerable<float>().Select(s => (double)s).ToArray();
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// Loads every models/&lt;name&gt;/&lt;version&gt;/ folder at start-up and whenever one changes. A model is refused, with the
/// reason logged and listed, when its sha256 differs from its card, its card was built on another feature catalog, or
/// its ONNX input is not [batch, number of card features] under the card's input name with the card's output present.
/// Of the valid versions of a model, the one its serving.json names is active (the newest while it has none) and the
/// newest above that one is the candidate (<see cref="ServingState"/>): a new folder is never served until promoted.
/// </summary>
public sealed class OnnxModelRegistry : IRiskModels, IModelServing, IDisposable
{
    private readonly string _root;
    private readonly RiskCatalog _risks;
    private readonly ILogger<OnnxModelRegistry> _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Lock _gate = new();
    private readonly Lock _reloading = new();
    private Dictionary<string, Served> _models = [];
    private List<string> _refused = [];
    private volatile bool _disposed;

    /// <summary>One model's serving: its active and candidate sessions, the valid versions on disk and the state applied.</summary>
    private sealed record Served(OnnxRiskModel? Active, OnnxRiskModel? Candidate, IReadOnlyList<string> Available, ServingState State);

    static OnnxModelRegistry() => OnnxRuntimeTelemetry.Disable();

    /// <param name="risks">The risks this server knows, whose inputs each model's card must list (the shipped catalog when not given).</param>
    public OnnxModelRegistry(string root, ILogger<OnnxModelRegistry> logger, RiskCatalog? risks = null)
    {
        // A folder that is not there is a configuration error, never a quiet fallback to the published scores.
        if (!Directory.Exists(root))
        {
            throw new InvalidOperationException(
                $"The models folder {root} does not exist: set Models:Root (relative paths resolve against the home folder, see docs/operations.md).");
        }

        _root = root;
        _logger = logger;
        _risks = risks ?? RiskCatalog.Default;
        Reload();
        _watcher = new FileSystemWatcher(root) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        _watcher.Changed += (_, _) => ReloadOnChange();
        _watcher.Created += (_, _) => ReloadOnChange();
        _watcher.Deleted += (_, _) => ReloadOnChange();
        _watcher.Renamed += (_, _) => ReloadOnChange();
    }

    /// <summary>
    /// A file event's reload runs on a thread-pool thread, where an exception would end the process: a folder changing
    /// under it is read again at the next event, and once the registry is disposed (a host shutting down while a card is
    /// replaced — seen in CI as a `clinicalcds evaluate --record` that exited non-zero) nothing is reloaded.
    /// </summary>
    private void ReloadOnChange()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Reload();
        }
        catch (Exception e) when (_disposed || e is IOException or UnauthorizedAccessException)
        {
            if (!_disposed)
            {
                _logger.LogWarning("Models folder changed while it was read ({Error}); the next change reloads it", e.GetType().Name);
            }
        }
    }

    public IRiskModel? Find(string name)
    {
        lock (_gate)
        {
            return _models.GetValueOrDefault(name)?.Active;
        }
    }

    public IRiskModel? Candidate(string name)
    {
        lock (_gate)
        {
            return _models.GetValueOrDefault(name)?.Candidate;
        }
    }

    public ServedVersions Versions(string name)
    {
        lock (_gate)
        {
            return _models.GetValueOrDefault(name) is { } served
                ? new ServedVersions(name, served.Active?.Card.Version, served.Candidate?.Card.Version, served.Available, served.State)
                : new ServedVersions(name, null, null, [], ServingFile.Read(Path.Combine(_root, name)).State);
        }
    }

    public void Change(string name, ServingState state)
    {
        ServingFile.Write(Path.Combine(_root, name), state);
        Reload();
    }

    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_gate)
            {
                return _refused.ToList();
            }
        }
    }

    public void Reload()
    {
        // One reload at a time: a file event's reload and a promotion's must not interleave their sessions.
        lock (_reloading)
        {
            if (!_disposed)
            {
                ReloadOnce();
            }
        }
    }

    private void ReloadOnce()
    {
        var valid = new Dictionary<string, List<OnnxRiskModel>>(StringComparer.Ordinal);
        var refused = new List<string>();
        var refusedFolders = new HashSet<string>(StringComparer.Ordinal);
        var modelFolders = Directory.Exists(_root) ? Directory.GetDirectories(_root) : [];
        foreach (var folder in modelFolders.SelectMany(Directory.GetDirectories).Where(ModelPackage.IsPackage))
        {
            var (model, error) = Load(folder, _risks);
            if (model is null)
            {
                refused.Add($"{folder}: {error}");
                refusedFolders.Add(Path.GetFullPath(folder));
                _logger.LogError("Model refused: {Folder}: {Reason}", folder, error);
                continue;
            }

            var versions = valid.TryGetValue(model.Card.Name, out var list) ? list : valid[model.Card.Name] = [];
            if (versions.Any(v => v.Card.Version == model.Card.Version))
            {
                refused.Add($"{folder}: another folder holds {model.Card.Name} {model.Card.Version}");
                model.Dispose();
                continue;
            }

            versions.Add(model);
        }

        Dictionary<string, Served> current;
        lock (_gate)
        {
            current = _models;
        }

        // A served model whose folder now fails to load (a broken or half-copied replacement) keeps serving from memory
        // until its folder loads again: an upgrade gone wrong never takes a model away.
        var kept = new HashSet<OnnxRiskModel>();
        foreach (var model in current.Values.SelectMany(s => new[] { s.Active, s.Candidate }).OfType<OnnxRiskModel>())
        {
            var versions = valid.TryGetValue(model.Card.Name, out var list) ? list : valid[model.Card.Name] = [];
            if (refusedFolders.Contains(model.Folder) && versions.All(v => v.Card.Version != model.Card.Version))
            {
                versions.Add(model);
                kept.Add(model);
                _logger.LogError("Model {Name} {Version} keeps serving: its folder no longer loads", model.Card.Name, model.Card.Version);
            }
        }

        var next = new Dictionary<string, Served>(StringComparer.Ordinal);
        var names = valid.Keys.Concat(modelFolders.Where(f => File.Exists(ServingFile.PathOf(f))).Select(Path.GetFileName).OfType<string>());
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var versions = valid.GetValueOrDefault(name) ?? [];
            var (state, error) = ServingFile.Read(Path.Combine(_root, name));
            if (error is not null)
            {
                // An unreadable serving.json never promotes the newest version: the state last applied stays.
                refused.Add(error);
                _logger.LogError("Model {Name}: {Error}; serving as before", name, error);
                state = current.GetValueOrDefault(name)?.State ?? new ServingState(current.GetValueOrDefault(name)?.Active?.Card.Version ?? string.Empty, [], []);
            }

            var available = versions.Select(v => v.Card.Version).Order(ModelVersions.Order).ToList();
            var activeVersion = state.ActiveOf(available);
            if (state.Active is { Length: > 0 } named && activeVersion is null)
            {
                refused.Add($"{Path.Combine(_root, name, ServingState.File)}: the active version {named} is not a valid package");
                _logger.LogError("Model {Name}: serving.json names version {Version} active, which does not load", name, named);
            }

            var candidateVersion = state.CandidateOf(available, activeVersion);
            next[name] = new Served(
                versions.FirstOrDefault(v => v.Card.Version == activeVersion),
                versions.FirstOrDefault(v => v.Card.Version == candidateVersion),
                available,
                state);
        }

        var serving = next.Values.SelectMany(s => new[] { s.Active, s.Candidate }).OfType<OnnxRiskModel>().ToHashSet();
        foreach (var model in valid.Values.SelectMany(v => v).Where(m => !serving.Contains(m) && !kept.Contains(m)))
        {
            model.Dispose();
        }

        lock (_gate)
        {
            if (_disposed)
            {
                foreach (var model in serving.Where(m => !kept.Contains(m)))
                {
                    model.Dispose();
                }

                return;
            }

            _models = next;
            _refused = refused;
        }

        // Sessions of the previous generation may still be scoring a request; let the GC finalize them rather than
        // disposing under a caller.
    }

    /// <summary>
    /// One thread per inference, never spinning: calls come from many requests and job chunks at once, which already
    /// keep every core busy, and a tree ensemble gains nothing from splitting one call. ONNX Runtime's default (a
    /// spinning intra-op pool per session) burned a sixth of a loaded server's CPU waiting (measured with bench/hooks).
    /// </summary>
    private static SessionOptions SingleThreaded()
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    public static (OnnxRiskModel? Model, string? Error) Load(string folder, RiskCatalog? risks = null)
    {
        OnnxRuntimeTelemetry.Disable();
        var (package, error) = ModelPackage.Read(folder, risks);
        if (package is null)
        {
            return (null, error);
        }

        var (card, onnx, trees, dependence) = package;
        InferenceSession session;
        try
        {
            using var options = SingleThreaded();
            session = new InferenceSession(onnx, options);
        }
        catch (OnnxRuntimeException e)
        {
            return (null, $"ONNX Runtime cannot load model.onnx: {e.Message}");
        }

        var input = session.InputMetadata.GetValueOrDefault(card.OnnxInput);
        var dimensions = input?.Dimensions ?? [];
        if (input is null || session.InputMetadata.Count != 1 || dimensions.Length != 2 || dimensions[1] != card.Features.Count
            || !session.OutputMetadata.ContainsKey(card.OnnxOutput))
        {
            session.Dispose();
            return (null, $"the ONNX graph's input is not '{card.OnnxInput}' [batch, {card.Features.Count}] with output '{card.OnnxOutput}'");
        }

        return (new OnnxRiskModel(folder, card, session, trees, dependence), null);
    }

    /// <summary>
    /// Stops watching, waits for a reload a file event started (a command that writes into the folder it serves from —
    /// `recalibrate`, `evaluate --record` — starts one as it ends: disposing sessions under it, or exiting while it still
    /// runs native ONNX Runtime code, ended the process with SIGSEGV in CI), then releases every session.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _watcher.Dispose();
        lock (_reloading)
        {
            lock (_gate)
            {
                foreach (var model in _models.Values.SelectMany(s => new[] { s.Active, s.Candidate }).OfType<OnnxRiskModel>())
                {
                    model.Dispose();
                }
            }
        }
    }
}
