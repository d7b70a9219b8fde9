using static ClinicalCds.Domain.Models.Logistic;

namespace ClinicalCds.Synthetic;

/// <summary>
/// The readmission truth's constants (docs/synthetic-population.md, issue 37): what no record holds — limited support at
/// home, an adverse event after discharge, frailty — with the weight the literature gives it, the ceiling no group of
/// patients reaches and the intercept that sets the overall rate. <see cref="PatientSimulator"/> computes each
/// discharge's true probability with them.
/// </summary>
internal static class ReadmissionTruth
{
    /// <summary>Living alone or without a caregiver (Arbaje AI et al., Gerontologist 2008;48(4):495-504: raises early readmission).</summary>
    internal const double LimitedSupportPrevalence = 0.3;

    /// <summary>
    /// An adverse event after discharge — a drug event, a procedural complication, a fall (Forster AJ et al., Ann Intern
    /// Med 2003;138(3):161-167: 19% of discharged medical patients) — decided after the discharge, so unknowable at it.
    /// </summary>
    internal const double PostDischargeEventRate = 0.19;

    /// <summary>
    /// The latent frailty's own effect on readmission once LACE is known: moderate to severe frailty (the top ~14 %,
    /// about 1.8 SD above the rest) doubles the odds (Kahlon S et al., CMAJ 2015;187(11):799-804: adjusted OR 2.19 given
    /// age, sex and LACE; Belga S et al., J Hosp Med 2016;11(8):556-62: 2.02), so 0.45 a standard deviation (ln 2.19 / 1.8).
    /// </summary>
    internal const double FrailtyEffect = 0.45;

    /// <summary>What limited support at home and an adverse event after discharge add to the log-odds of readmission.</summary>
    internal const double LimitedSupportEffect = 0.6, PostDischargeEventEffect = 1.3;

    /// <summary>
    /// No discharge's true probability of readmission exceeds 60 %: the highest group rates published are 43.7 % at LACE
    /// 19 (van Walraven 2010, with death) and 45-52 % among super-utilizers (HCUP Statistical Brief #190, 2015).
    /// </summary>
    internal const double ReadmissionCeiling = 0.6;

    /// <summary>Sets the overall 30-day readmission rate near the US all-payer 14 % (HCUP Statistical Brief #248, 2019).</summary>
    internal const double ReadmissionIntercept = -3.75;

    /// <summary>The true probability at discharge: the ceiling times the chance averaged over the adverse event to come.</summary>
    public static double Probability(double logit) =>
        ReadmissionCeiling * (((1 - PostDischargeEventRate) * Sigmoid(logit)) + (PostDischargeEventRate * Sigmoid(logit + PostDischargeEventEffect)));

    /// <summary>The chance of readmission once it is known whether an adverse event followed the discharge.</summary>
    public static double Given(double logit, bool adverseEvent) => ReadmissionCeiling * Sigmoid(logit + (adverseEvent ? PostDischargeEventEffect : 0));
}
