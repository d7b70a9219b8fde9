namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>
/// Patients dealt to folds for cross-validation: every row of one patient lands in the same fold (a patient's rows are not
/// independent, as in <see cref="PatientBootstrap"/>), patients dealt in turn in order of id, so the folds are reproducible
/// and of near-equal size.
/// </summary>
public static class PatientFolds
{
    /// <summary>The folds cross-validated measurements use (recalibration, range coverage with local completions).</summary>
    public const int Count = 5;

    /// <summary>The fold, 0 to <paramref name="folds"/> − 1, of each row given its patient.</summary>
    public static int[] Of(IReadOnlyList<string> patientOfRow, int folds = Count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var fold = patientOfRow.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((id, k) => (id, k)).ToDictionary(p => p.id, p => p.k % folds, StringComparer.Ordinal);
        return [.. patientOfRow.Select(id => fold[id])];
    }
}
