using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>A request as stored, with the version that guards concurrent transitions.</summary>
public sealed record StoredRequest(
    InferenceRequest Request,
    RequestState State,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public RequestKey Key => Request.Key;
}

/// <summary>Raised when a transition was computed from a version that someone else has already moved on from.</summary>
public sealed class StaleRequestStateException : InvalidOperationException
{
    public StaleRequestStateException(RequestKey key, long expectedVersion)
        : base($"request {key} is no longer at version {expectedVersion}: another worker moved it; reload and decide again")
    {
        Key = key;
        ExpectedVersion = expectedVersion;
    }

    public StaleRequestStateException() { }

    public StaleRequestStateException(string message) : base(message) { }

    public StaleRequestStateException(string message, Exception inner) : base(message, inner) { }

    public RequestKey Key { get; }

    public long ExpectedVersion { get; }
}

/// <summary>One transition to apply to one stored request (see <see cref="IRequestStore.TransitionManyAsync"/>), and
/// optionally a second one right after it, written together: the request goes from <see cref="Current"/> to the state
/// after both in one write (one version step), never resting in the state between.</summary>
public sealed record RequestStep(StoredRequest Current, RequestTransition Transition, RequestTransition? Then = null)
{
    /// <summary>The state the step leads to; throws <see cref="InvalidRequestTransitionException"/> if either transition
    /// is not allowed.</summary>
    public RequestState Next()
    {
        var next = RequestStateMachine.Apply(Current.State, Transition);
        return Then is null ? next : RequestStateMachine.Apply(next, Then);
    }

    /// <summary>The transition names, for messages ("CompleteInference+BeginSubmission").</summary>
    public string Name => Then is null ? Transition.Name : Transition.Name + "+" + Then.Name;
}

/// <summary>Durable requests and their states. Each request key holds at most one live request (earlier ones replaced
/// after a deep reorg are archived, see <see cref="ReplaceOrphanedAsync"/>).</summary>
public interface IRequestStore
{
    /// <summary>Stores a newly seen request in <see cref="RequestStatus.Discovered"/>. Returns false if the key was already stored
    /// (the stored copy is left untouched), so a replayed log is never enqueued twice.</summary>
    Task<bool> AddIfAbsentAsync(InferenceRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores several newly seen requests at once (one round trip, all or none); the flags say which were new.</summary>
    Task<IReadOnlyList<bool>> AddManyIfAbsentAsync(IReadOnlyList<InferenceRequest> requests, CancellationToken cancellationToken = default);

    Task<StoredRequest?> GetAsync(RequestKey key, CancellationToken cancellationToken = default);

    /// <summary>Several requests at once, in the order of <paramref name="keys"/>; null where a key is not stored.</summary>
    Task<IReadOnlyList<StoredRequest?>> GetManyAsync(IReadOnlyList<RequestKey> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="transition"/> to <paramref name="current"/> (through <see cref="RequestStateMachine"/>) and
    /// stores the result if the stored version still equals <c>current.Version</c>.
    /// </summary>
    /// <exception cref="InvalidRequestTransitionException">the transition is not allowed from the current status.</exception>
    /// <exception cref="StaleRequestStateException">someone else changed the request since <paramref name="current"/> was read.</exception>
    Task<StoredRequest> TransitionAsync(StoredRequest current, RequestTransition transition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies several transitions in one round trip. Each is guarded by its own version: the result holds the new
    /// stored request, or null where someone else moved that request first (the others are still applied).
    /// </summary>
    /// <exception cref="InvalidRequestTransitionException">a transition is not allowed; then nothing is written.</exception>
    Task<IReadOnlyList<StoredRequest?>> TransitionManyAsync(IReadOnlyList<RequestStep> steps, CancellationToken cancellationToken = default);

    /// <summary>
    /// Request ids are a counter in the contract, so a reorg deeper than the confirmation depth can give a stored id to a
    /// different request. This archives <paramref name="orphaned"/> — normally <see cref="RequestStatus.Orphaned"/>, but any
    /// terminal state it reached before the reorg was noticed is kept as it was (it stays readable through
    /// <see cref="ListSupersededAsync"/>) and stores <paramref name="replacement"/> under the same key in
    /// <see cref="RequestStatus.Discovered"/>, in one step. The version keeps counting up, so anyone still holding the
    /// orphaned version gets <see cref="StaleRequestStateException"/>. Replacing an orphaned request by the same log
    /// (its transaction was mined again) revives it.
    /// </summary>
    /// <returns>The replacement as stored.</returns>
    /// <exception cref="ArgumentException"><paramref name="orphaned"/> is not terminal (orphan it first), or the keys differ.</exception>
    /// <exception cref="StaleRequestStateException">the stored request is no longer <paramref name="orphaned"/>'s version.</exception>
    Task<StoredRequest> ReplaceOrphanedAsync(StoredRequest orphaned, InferenceRequest replacement, CancellationToken cancellationToken = default);

    /// <summary>Earlier requests archived under <paramref name="key"/> by <see cref="ReplaceOrphanedAsync"/>, oldest first,
    /// each in its last state (what an auditor needs to see what a reorg did).</summary>
    Task<IReadOnlyList<StoredRequest>> ListSupersededAsync(RequestKey key, CancellationToken cancellationToken = default);

    /// <summary>Non-terminal requests of one oracle whose log was seen at or above <paramref name="fromBlock"/>, lowest
    /// block first: what a reorg rewinding to <c>fromBlock - 1</c> may have removed.</summary>
    Task<IReadOnlyList<StoredRequest>> ListNonTerminalFromBlockAsync(ulong chainId, string oracle, ulong fromBlock, int limit, CancellationToken cancellationToken = default);

    /// <summary>Requests in <paramref name="status"/>, oldest update first.</summary>
    Task<IReadOnlyList<StoredRequest>> ListByStatusAsync(RequestStatus status, int limit, CancellationToken cancellationToken = default);

    /// <summary>Number of requests in each status (statuses with none are reported as 0).</summary>
    Task<IReadOnlyDictionary<RequestStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default);
}
