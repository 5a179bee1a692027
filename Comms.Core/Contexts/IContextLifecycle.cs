namespace Comms.Core.Contexts;

/// <summary>
/// The seam for what follows a context's lifecycle change (SPEC S8: system mail when a context is paused or
/// cancelled, or a member removed or blocked). Called after the change is committed, once per real change
/// (a repeated request that changes nothing does not call it). The default does nothing; a feature replaces it
/// by registering its own implementation before <c>AddContextServices</c> (which registers the default with TryAdd).
/// An implementation must not throw for the request's sake: the change is already stored.
/// </summary>
public interface IContextLifecycle
{
    /// <summary>The context's status changed from <paramref name="oldStatus"/> to <paramref name="newStatus"/> (see <see cref="ContextStatus"/>).</summary>
    Task ContextStatusChangedAsync(Context context, string oldStatus, string newStatus, CancellationToken cancellationToken);

    /// <summary>
    /// A member's status changed from <paramref name="oldStatus"/> (null: they just joined) to <paramref name="newStatus"/>
    /// (see <see cref="MemberStatus"/>; <c>removed</c> for <c>DELETE …/members/{externalId}</c>).
    /// </summary>
    Task MemberStatusChangedAsync(Context context, ContextMember member, string? oldStatus, string newStatus, CancellationToken cancellationToken);
}

/// <summary>The default <see cref="IContextLifecycle"/>: nothing follows a change.</summary>
public sealed class NoContextLifecycle : IContextLifecycle
{
    public Task ContextStatusChangedAsync(Context context, string oldStatus, string newStatus, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task MemberStatusChangedAsync(Context context, ContextMember member, string? oldStatus, string newStatus, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
