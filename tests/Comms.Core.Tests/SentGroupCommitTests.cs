using Comms.Core.Messages;
using Comms.Core.Queueing;

namespace Comms.Core.Tests;

/// <summary>Concurrent "sent" marks share statements; each caller still learns its own row's fate, and a failure reaches every caller of it.</summary>
public sealed class SentGroupCommitTests
{
    [Fact]
    public async Task Marks_that_queue_up_while_a_statement_runs_are_written_together_and_each_gets_its_own_answer()
    {
        var statements = new List<int>();
        var takenOver = Guid.NewGuid();
        var commit = new SentGroupCommit(async (marks, _) =>
        {
            lock (statements)
            {
                statements.Add(marks.Count);
            }

            await Task.Delay(50);
            return marks.Select(m => m.Claim.Id).Where(id => id != takenOver).ToHashSet();
        });

        var claims = Enumerable.Range(0, 200).Select(i => new LeaseClaim(i == 7 ? takenOver : Guid.NewGuid(), Guid.NewGuid())).ToList();
        var results = await Task.WhenAll(claims.Select(c => Task.Run(() => commit.MarkAsync(new SentMark(c, "pid", null), CancellationToken.None))));

        Assert.Equal(200, statements.Sum());
        Assert.True(statements.Count < 50, $"{statements.Count} statements for 200 concurrent marks");
        Assert.False(results[7]);
        Assert.Equal(199, results.Count(r => r));

        // A lone mark afterwards is written at once, alone.
        Assert.True(await commit.MarkAsync(new SentMark(new LeaseClaim(Guid.NewGuid(), Guid.NewGuid()), null, null), CancellationToken.None));
        Assert.Equal(1, statements[^1]);
    }

    [Fact]
    public async Task A_failed_statement_fails_every_mark_it_carried_and_the_next_marks_are_written_again()
    {
        var fail = true;
        var commit = new SentGroupCommit((marks, _) => fail
            ? Task.FromException<IReadOnlySet<Guid>>(new InvalidOperationException("database away"))
            : Task.FromResult<IReadOnlySet<Guid>>(marks.Select(m => m.Claim.Id).ToHashSet()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => commit.MarkAsync(new SentMark(new LeaseClaim(Guid.NewGuid(), Guid.NewGuid()), null, null), CancellationToken.None));
        Assert.Equal("database away", error.Message);

        fail = false;
        Assert.True(await commit.MarkAsync(new SentMark(new LeaseClaim(Guid.NewGuid(), Guid.NewGuid()), null, null), CancellationToken.None));
    }
}
