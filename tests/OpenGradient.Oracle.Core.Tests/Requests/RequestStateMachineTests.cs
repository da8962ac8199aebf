using System.Numerics;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Requests;
using S = OpenGradient.Oracle.Core.Requests.RequestStatus;
using T = OpenGradient.Oracle.Core.Requests.RequestTransition;

namespace OpenGradient.Oracle.Core.Tests.Requests;

public sealed class RequestStateMachineTests
{
    private static readonly byte[] TxHash = new byte[32];
    private static readonly InferenceOutcome Output = InferenceOutcome.Success([1, 2]);
    private static readonly InferenceOutcome Exhausted = InferenceOutcome.Failed(FailureReason.RetriesExhausted);

    private static readonly T[] Transitions =
    [
        new T.BeginInference(), new T.CompleteInference(Output), new T.BeginSubmission(),
        new T.RecordSubmission(new SubmissionRecord(TxHash, 3)), new T.ReviseOutcome(Exhausted, "why"), new T.Settle(),
        new T.FailOnChain("reverted"), new T.Orphan("reorg"), new T.ObserveSettledElsewhere("cancelled"),
    ];

    // The whole table, written out: (transition, from) -> to. Anything absent must be rejected.
    private static readonly Dictionary<(string, S), S> Allowed = new()
    {
        [("BeginInference", S.Discovered)] = S.Inferring,
        [("CompleteInference", S.Discovered)] = S.Inferred,
        [("CompleteInference", S.Inferring)] = S.Inferred,
        [("BeginSubmission", S.Inferred)] = S.Submitting,
        [("RecordSubmission", S.Submitting)] = S.Submitted,
        [("ReviseOutcome", S.Inferred)] = S.Inferred,
        [("ReviseOutcome", S.Submitting)] = S.Inferred,
        [("ReviseOutcome", S.Submitted)] = S.Inferred,
        [("Settle", S.Submitted)] = S.Settled,
        [("FailOnChain", S.Submitted)] = S.FailedOnChain,
        [("Orphan", S.Discovered)] = S.Orphaned,
        [("Orphan", S.Inferring)] = S.Orphaned,
        [("Orphan", S.Inferred)] = S.Orphaned,
        [("Orphan", S.Submitting)] = S.Orphaned,
        [("Orphan", S.Submitted)] = S.Orphaned,
        [("ObserveSettledElsewhere", S.Discovered)] = S.SettledElsewhere,
        [("ObserveSettledElsewhere", S.Inferring)] = S.SettledElsewhere,
        [("ObserveSettledElsewhere", S.Inferred)] = S.SettledElsewhere,
        [("ObserveSettledElsewhere", S.Submitting)] = S.SettledElsewhere,
        [("ObserveSettledElsewhere", S.Submitted)] = S.SettledElsewhere,
    };

    /// <summary>A valid state in each status, reached through the machine itself.</summary>
    private static RequestState StateIn(S status)
    {
        var s = RequestState.Discovered;
        RequestState Go(params T[] ts) => ts.Aggregate(s, RequestStateMachine.Apply);
        return status switch
        {
            S.Discovered => s,
            S.Inferring => Go(new T.BeginInference()),
            S.Inferred => Go(new T.BeginInference(), new T.CompleteInference(Output)),
            S.Submitting => Go(new T.BeginInference(), new T.CompleteInference(Output), new T.BeginSubmission()),
            S.Submitted => Go(new T.BeginInference(), new T.CompleteInference(Output), new T.BeginSubmission(), new T.RecordSubmission(new SubmissionRecord(TxHash, 1))),
            S.Settled => RequestStateMachine.Apply(StateIn(S.Submitted), new T.Settle()),
            S.FailedOnChain => RequestStateMachine.Apply(StateIn(S.Submitted), new T.FailOnChain("x")),
            S.Orphaned => Go(new T.Orphan("x")),
            S.SettledElsewhere => Go(new T.ObserveSettledElsewhere("x")),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    public static TheoryData<S, int> EveryStatusAndTransition()
    {
        var data = new TheoryData<S, int>();
        foreach (var s in Enum.GetValues<S>())
            for (var i = 0; i < Transitions.Length; i++) data.Add(s, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStatusAndTransition))]
    public void Every_transition_from_every_status_follows_the_table(S from, int transitionIndex)
    {
        var transition = Transitions[transitionIndex];
        var state = StateIn(from);
        Assert.Equal(from, state.Status);

        if (Allowed.TryGetValue((transition.Name, from), out var to))
        {
            Assert.True(RequestStateMachine.CanApply(from, transition));
            Assert.Equal(to, RequestStateMachine.Apply(state, transition).Status);
        }
        else
        {
            Assert.False(RequestStateMachine.CanApply(from, transition));
            var e = Assert.Throws<InvalidRequestTransitionException>(() => RequestStateMachine.Apply(state, transition));
            Assert.Equal(from, e.From);
            Assert.Contains($"cannot apply {transition.Name} to a request in {from}", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_table_names_every_transition_and_terminal_states_have_no_way_out()
    {
        Assert.Equal(Transitions.Select(t => t.Name).Order(), Allowed.Keys.Select(k => k.Item1).Distinct().Order());
        foreach (var terminal in new[] { S.Settled, S.FailedOnChain, S.Orphaned, S.SettledElsewhere })
        {
            Assert.True(RequestStateMachine.IsTerminal(terminal));
            Assert.DoesNotContain(Allowed.Keys, k => k.Item2 == terminal);
        }
    }

    [Fact]
    public void Outcome_and_submission_are_carried_along_and_cleared_where_they_no_longer_hold()
    {
        var submitted = StateIn(S.Submitted);
        Assert.Equal(Output, submitted.Outcome);
        Assert.Equal(1UL, submitted.Submission!.Nonce);

        var settled = RequestStateMachine.Apply(submitted, new T.Settle());
        Assert.Equal(Output, settled.Outcome);
        Assert.Same(submitted.Submission, settled.Submission);

        var revised = RequestStateMachine.Apply(submitted, new T.ReviseOutcome(Exhausted, "tx dropped"));
        Assert.Equal(Exhausted, revised.Outcome);
        Assert.Null(revised.Submission);
        Assert.Equal("tx dropped", revised.Detail);
    }

    [Fact]
    public void Restore_rejects_states_the_machine_cannot_produce()
    {
        Assert.Throws<ArgumentException>(() => RequestState.Restore(S.Inferred, null, null, null));
        Assert.Throws<ArgumentException>(() => RequestState.Restore(S.Settled, Output, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => RequestState.Restore((S)99, null, null, null));
        Assert.Equal(S.Submitted, RequestState.Restore(S.Submitted, Output, new SubmissionRecord(TxHash, 0), null).Status);
    }

    [Fact]
    public void Request_keys_normalise_the_oracle_address_and_reject_bad_values()
    {
        var a = new RequestKey(1, "0xABCDEFabcdef0123456789012345678901234567", 5);
        var b = new RequestKey(1, "0xabcdefabcdef0123456789012345678901234567", 5);
        Assert.Equal(a, b);
        Assert.Equal("1/0xabcdefabcdef0123456789012345678901234567/5", a.ToString());
        Assert.Throws<ArgumentException>(() => new RequestKey(1, "0x1234", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestKey(1, b.Oracle, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestKey(1, b.Oracle, BigInteger.One << 256));
    }

    [Fact]
    public void Outcomes_are_either_output_or_a_known_failure()
    {
        Assert.True(Output.IsSuccess);
        Assert.Null(Output.Failure);
        Assert.False(Exhausted.IsSuccess);
        Assert.Null(Exhausted.Output);
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceOutcome.Failed((FailureReason)999));
    }
}
