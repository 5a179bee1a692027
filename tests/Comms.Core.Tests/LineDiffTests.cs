using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class LineDiffTests
{
    [Fact]
    public void Kept_removed_and_added_lines_are_told_apart_in_order()
    {
        var diff = LineDiff.Compare("Hello {{ name }}\nYour order shipped.\nThanks", "Hello {{ name }}\nYour order is on its way.\nThanks\nP.S.");

        Assert.Equal(
            [new DiffLine(' ', "Hello {{ name }}"), new DiffLine('-', "Your order shipped."), new DiffLine('+', "Your order is on its way."),
             new DiffLine(' ', "Thanks"), new DiffLine('+', "P.S.")],
            diff);
    }

    [Fact]
    public void Equal_texts_have_no_changes_and_empty_ones_no_lines()
    {
        Assert.All(LineDiff.Compare("a\nb", "a\r\nb"), l => Assert.Equal(' ', l.Kind));
        Assert.Empty(LineDiff.Compare(null, ""));
    }
}
