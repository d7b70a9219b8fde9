using ClinicalCds.Application.Models;

namespace ClinicalCds.UnitTests.Models;

/// <summary>Which version answers and which runs in shadow (issue 22 item 5): the transitions of a model's serving state.</summary>
public sealed class ServingStateTests
{
    private static readonly string[] Available = ["0.3.0", "0.4.0", "0.10.0"];

    [Fact]
    public void Without_a_serving_file_the_newest_valid_version_is_active_and_there_is_no_candidate()
    {
        var active = ServingState.Unset.ActiveOf(Available);

        Assert.Equal("0.10.0", active); // numeric order: 0.10.0 after 0.4.0
        Assert.Null(ServingState.Unset.CandidateOf(Available, active));
    }

    [Fact]
    public void A_newer_version_beside_the_active_one_is_the_candidate_and_is_not_active_until_promoted()
    {
        var state = new ServingState("0.3.0", [], []);

        Assert.Equal("0.3.0", state.ActiveOf(Available));
        Assert.Equal("0.10.0", state.CandidateOf(Available, "0.3.0"));

        var promoted = state.Promote("0.10.0");
        Assert.Equal(new[] { "0.3.0" }, promoted.Previous);
        Assert.Equal("0.10.0", promoted.ActiveOf(Available));
        Assert.Null(promoted.CandidateOf(Available, "0.10.0"));
    }

    [Fact]
    public void A_rollback_returns_to_the_version_active_before_and_retires_the_one_left_so_it_is_no_longer_the_candidate()
    {
        var state = new ServingState("0.3.0", [], []).Promote("0.4.0").Promote("0.10.0");
        Assert.Equal(new[] { "0.4.0", "0.3.0" }, state.Previous);

        var back = state.Rollback()!;
        Assert.Equal("0.4.0", back.Active);
        Assert.Equal(["0.3.0"], back.Previous);
        Assert.Equal(["0.10.0"], back.Retired);
        Assert.Null(back.CandidateOf(Available, "0.4.0"));

        var first = back.Rollback()!;
        Assert.Equal("0.3.0", first.Active);
        Assert.Empty(first.Previous);
        Assert.Null(first.Rollback());

        // Promoting a retired version on purpose brings it back, and it is no longer retired.
        var again = first.Promote("0.10.0");
        Assert.DoesNotContain("0.10.0", again.Retired);
        Assert.Equal(new[] { "0.3.0" }, again.Previous);
    }

    [Fact]
    public void A_named_active_version_that_is_not_valid_is_not_replaced_by_another()
    {
        var state = new ServingState("0.5.0", [], []);

        Assert.Null(state.ActiveOf(Available));
        Assert.Null(state.CandidateOf(Available, null));
    }

    [Fact]
    public void Promoting_the_version_already_active_changes_nothing_of_the_history()
    {
        var state = new ServingState("0.4.0", ["0.3.0"], []);

        Assert.Equal(state.Previous, state.Promote("0.4.0").Previous);
    }
}
