namespace Comms.Core.Templates;

/// <summary>One line of a diff: <c>' '</c> kept, <c>'-'</c> only on the left, <c>'+'</c> only on the right.</summary>
public readonly record struct DiffLine(char Kind, string Text);

/// <summary>A line diff (longest common subsequence) for the template editor's version and locale comparisons.</summary>
public static class LineDiff
{
    /// <summary>Texts longer than this many lines are compared line by line without alignment (keeps the table small).</summary>
    public const int MaxLines = 2000;

    public static IReadOnlyList<DiffLine> Compare(string? left, string? right)
    {
        var a = Split(left);
        var b = Split(right);
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return [.. a.Select(l => new DiffLine('-', l)), .. b.Select(l => new DiffLine('+', l))];
        }

        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new DiffLine(' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new DiffLine('-', a[x++]));
            }
            else
            {
                lines.Add(new DiffLine('+', b[y++]));
            }
        }

        lines.AddRange(a.Skip(x).Select(l => new DiffLine('-', l)));
        lines.AddRange(b.Skip(y).Select(l => new DiffLine('+', l)));
        return lines;
    }

    private static string[] Split(string? text) => string.IsNullOrEmpty(text) ? [] : text.ReplaceLineEndings("\n").Split('\n');
}
