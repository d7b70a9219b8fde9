using System.Text.Json;
using ClinicalCds.Application.Models;

namespace ClinicalCds.Infrastructure.Models;

/// <summary>models/&lt;name&gt;/serving.json: a model's <see cref="ServingState"/>, read by every process serving the folder.</summary>
public static class ServingFile
{
    public static string PathOf(string modelFolder) => Path.Combine(modelFolder, ServingState.File);

    /// <summary>The state in <paramref name="modelFolder"/>; <see cref="ServingState.Unset"/> when there is no file.</summary>
    public static (ServingState State, string? Error) Read(string modelFolder)
    {
        var path = PathOf(modelFolder);
        if (!File.Exists(path))
        {
            return (ServingState.Unset, null);
        }

        try
        {
            var state = JsonSerializer.Deserialize<ServingState>(File.ReadAllText(path), ModelCard.Json) ?? throw new JsonException("empty");
            return (state with { Previous = state.Previous ?? [], Retired = state.Retired ?? [], Live = state.Live ?? [] }, null);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return (ServingState.Unset, $"{path} cannot be read: {e.Message}");
        }
    }

    /// <summary>Replaces the file atomically: a process watching the folder reads the old state or the new one.</summary>
    public static void Write(string modelFolder, ServingState state)
    {
        Directory.CreateDirectory(modelFolder);
        var temporary = Path.Combine(modelFolder, $".{ServingState.File}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, ModelCard.Json) + "\n");
        File.Move(temporary, PathOf(modelFolder), overwrite: true);
    }
}
