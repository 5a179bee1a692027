using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// Fault tests pause, kill and restart the backing servers, so they run on a <see cref="CommsFixture"/> of their own
/// (their own PostgreSQL, Redis, MailDev and services): the tests of the shared fixture, running in parallel, never
/// see the outage. Tests of this collection run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OutageCollection : ICollectionFixture<CommsFixture>
{
    public const string Name = "outages";

    /// <summary>Outages make everything slower; and the whole suite shares two cores.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);
}
