using System.Text.Json;

namespace Comms.Api.Input;

/// <summary>
/// Finds a NUL character (U+0000) in any string or property name of a JSON document and names where it
/// is, as a JSON path like <c>payload.name</c> or <c>recipients[2]</c>. PostgreSQL cannot store NUL in
/// text or jsonb, so such input is refused up front instead of failing a write later.
/// </summary>
public static class JsonNulScanner
{
    private static readonly byte[] EscapedNul = "\\u0000"u8.ToArray();

    /// <summary>The JSON path of the first string holding a NUL, or null (also for malformed JSON, which the binder reports).</summary>
    public static string? Find(ReadOnlySpan<byte> json)
    {
        // In valid JSON a NUL can only appear escaped; most bodies are decided by this search alone.
        if (json.IndexOf(EscapedNul) < 0)
        {
            return null;
        }

        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        frames[^1] = frames[^1] with { Property = name };
                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            return PathOf(frames);
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        EnterValue(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.String:
                        EnterValue(frames);
                        if (reader.ValueIsEscaped && reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                        {
                            return PathOf(frames);
                        }

                        break;
                    default:
                        EnterValue(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static void EnterValue(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new System.Text.StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Property is { } property)
            {
                var plain = property.Length > 0 && property.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$');
                if (plain)
                {
                    path.Append(path.Length > 0 ? "." : "").Append(property);
                }
                else
                {
                    path.Append("['").Append(property.Replace("\0", "\\u0000", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
                }
            }
        }

        return path.Length == 0 ? "body" : path.ToString();
    }

    private readonly record struct Frame(bool IsArray, int Index, string? Property);
}
