using System.Security.Cryptography;
using System.Text;

namespace ClinicalCds.Domain.Outcomes;

/// <summary>
/// Assigns whole patients to the test split (never a patient in both), by a hash of the seed and the patient id:
/// the same seed gives the same split on any machine, whatever order the patients are read in.
/// </summary>
public static class DatasetSplit
{
    public static bool IsTest(string patientId, ulong seed, double testFraction)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{patientId}"), hash);
        var unit = BitConverter.ToUInt64(hash[..8]) / (double)ulong.MaxValue;
        return unit < testFraction;
    }
}
