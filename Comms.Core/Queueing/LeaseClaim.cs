namespace Comms.Core.Queueing;

/// <summary>
/// A claimed row of a queue (<c>events</c>, <c>messages</c>, <c>digests</c>) and the random token written when it
/// was claimed. Every later state change of the row names both in its <c>WHERE</c> clause, so a worker whose lease
/// ran out and was taken over — even by another claim of the same replica — changes nothing.
/// </summary>
public readonly record struct LeaseClaim(Guid Id, Guid Token);
