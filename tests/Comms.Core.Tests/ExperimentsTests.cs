using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class ExperimentsTests
{
    private static TemplateVariant Arm(string key, int weight) =>
        new() { Key = key, Weight = weight, Content = new TemplateContent { Subject = key } };

    private static IEnumerable<string> Users(int count) => Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString());

    [Fact]
    public void No_variants_or_no_positive_weight_chooses_nothing()
    {
        Assert.Null(Experiments.Choose([], "t:welcome", "u1"));
        Assert.Null(Experiments.Choose([Arm("a", 0), Arm("b", 0)], "t:welcome", "u1"));
        Assert.Null(Experiments.Choose([Arm("a", -5)], "t:welcome", "u1"));
    }

    [Fact]
    public void The_bucket_is_the_first_8_bytes_of_sha256_of_salt_colon_user()
    {
        // Pinned: a change here would move every user to another arm.
        Assert.Equal(16764166075636022164UL, Experiments.Bucket("tenant:welcome", "user-1"));
        Assert.Equal(10885115880492960027UL, Experiments.Bucket("t:n", "alice"));
    }

    [Fact]
    public void A_user_always_gets_the_same_arm()
    {
        IReadOnlyList<TemplateVariant> arms = [Arm("a", 50), Arm("b", 30), Arm("c", 20)];
        foreach (var user in Users(500))
        {
            var first = Experiments.Choose(arms, "t1:welcome", user);
            for (var i = 0; i < 3; i++)
            {
                Assert.Same(first, Experiments.Choose(arms, "t1:welcome", user));
            }

            // Equal arms in a new list (e.g. the template loaded again) give the same key.
            Assert.Equal(first!.Key, Experiments.Choose([Arm("a", 50), Arm("b", 30), Arm("c", 20)], "t1:welcome", user)!.Key);
        }
    }

    [Fact]
    public void Over_10000_users_each_arm_gets_its_share_of_the_weight()
    {
        IReadOnlyList<TemplateVariant> arms = [Arm("a", 70), Arm("b", 20), Arm("c", 10)];
        var counts = Enumerable.Range(0, 10_000)
            .Select(i => Experiments.Choose(arms, "tenant-x:order.shipped", $"user-{i}")!.Key)
            .GroupBy(k => k)
            .ToDictionary(g => g.Key, g => g.Count());

        // ±2.5 percentage points: over 5 standard deviations for the smallest arm.
        Assert.InRange(counts["a"], 6_750, 7_250);
        Assert.InRange(counts["b"], 1_750, 2_250);
        Assert.InRange(counts["c"], 750, 1_250);
    }

    [Fact]
    public void A_zero_weight_arm_is_never_chosen()
    {
        IReadOnlyList<TemplateVariant> arms = [Arm("off", 0), Arm("a", 1), Arm("paused", 0), Arm("b", 1), Arm("end", 0)];

        var chosen = Enumerable.Range(0, 10_000).Select(i => Experiments.Choose(arms, "t:n", $"u{i}")!.Key).ToHashSet();

        Assert.Equal(["a", "b"], chosen.Order());
    }

    [Fact]
    public void A_single_weighted_arm_takes_everyone()
    {
        IReadOnlyList<TemplateVariant> arms = [Arm("only", 3), Arm("zero", 0)];

        Assert.All(Users(200), user => Assert.Equal("only", Experiments.Choose(arms, "t:n", user)!.Key));
    }

    [Fact]
    public void Different_salts_bucket_users_independently()
    {
        IReadOnlyList<TemplateVariant> arms = [Arm("a", 1), Arm("b", 1)];
        var users = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();

        var agree = users.Count(u => Experiments.Choose(arms, "t:welcome", u)!.Key == Experiments.Choose(arms, "t:digest", u)!.Key);

        // Another template's experiment is not the same split: about half the users agree.
        Assert.InRange(agree, 4_700, 5_300);
    }
}
