namespace Comms.Core.Links;

/// <summary>
/// The campaign parameters of links in marketing templates (SPEC S11): <c>utm_source=comms</c>, <c>utm_medium=&lt;channel&gt;</c>,
/// <c>utm_campaign=&lt;template name&gt;</c>, appended to the query (before any fragment), keeping the existing query as it
/// is; a parameter the link already carries (any case) is never overridden or repeated.
/// </summary>
public static class Utm
{
    public const string Source = "comms";

    public static string Append(string url, string channel, string campaign)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        var head = hash < 0 ? url : url[..hash];
        var fragment = hash < 0 ? "" : url[hash..];
        var question = head.IndexOf('?', StringComparison.Ordinal);
        var query = question < 0 ? "" : head[(question + 1)..];
        var present = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Uri.UnescapeDataString(p.Split('=', 2)[0].Replace('+', ' ')))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var added = new[] { ("utm_source", Source), ("utm_medium", channel), ("utm_campaign", campaign) }
            .Where(p => !present.Contains(p.Item1))
            .Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2))
            .ToList();
        if (added.Count == 0)
        {
            return url;
        }

        var separator = question < 0 ? "?" : query.Length == 0 || query.EndsWith('&') ? "" : "&";
        return head + separator + string.Join("&", added) + fragment;
    }
}
