using System.Text.Json;
using System.Text.Unicode;

namespace Comms.Api.Input;

/// <summary>What is wrong with a string of a JSON body.</summary>
public enum JsonTextProblem
{
    /// <summary>A NUL character (U+0000): PostgreSQL cannot store it in text or jsonb.</summary>
    Nul,

    /// <summary>Bytes that are not UTF-8 (JSON text must be).</summary>
    InvalidUtf8,

    /// <summary>An escaped UTF-16 surrogate without its pair (<c>\ud800</c>): no character at all.</summary>
    LoneSurrogate,
}

/// <summary>
/// Finds the first string or property name of a JSON document that no text column can hold — a NUL, bytes
/// that are not UTF-8, an unpaired surrogate escape — and names where it is, as a JSON path like
/// <c>payload.name</c> or <c>recipients[2]</c>. The binder checks this for the fields it turns into strings, but
/// not inside free-form JSON (<c>payload</c>, <c>attributes</c>, a variables schema), which would reach the
/// database as is and fail there; such input is refused up front instead.
/// </summary>
public static class JsonTextScanner
{
    private static readonly byte[] EscapedNul = "\\u0000"u8.ToArray();

    /// <summary>The JSON path and problem of the first bad string, or null (also for malformed JSON, which the binder reports).</summary>
    public static (string Path, JsonTextProblem Problem)? Find(ReadOnlySpan<byte> json)
    {
        // Most bodies are decided by these searches alone (a vectorised UTF-8 check and two substring searches).
        if (json.IndexOf(EscapedNul) < 0 && Utf8.IsValid(json) && !HasSurrogateEscape(json))
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
                        var name = Check(ref reader, out var nameProblem);
                        frames[^1] = frames[^1] with { Property = name ?? "?" };
                        if (nameProblem is { } p)
                        {
                            return (PathOf(frames), p);
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
                        Check(ref reader, out var valueProblem);
                        if (valueProblem is { } problem)
                        {
                            return (PathOf(frames), problem);
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

    /// <summary>A sentence for the problem, for the 400's <c>errors</c>.</summary>
    public static string Describe(JsonTextProblem problem) => problem switch
    {
        JsonTextProblem.Nul => "NUL characters (U+0000) are not allowed in any text: remove it.",
        JsonTextProblem.InvalidUtf8 => "The text is not valid UTF-8: send JSON encoded as UTF-8.",
        _ => "The text holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair): it is no character.",
    };

    /// <summary>The string's text (null when it cannot be decoded) and what is wrong with it, if anything.</summary>
    private static string? Check(ref Utf8JsonReader reader, out JsonTextProblem? problem)
    {
        problem = null;
        if (!reader.ValueIsEscaped && !Utf8.IsValid(reader.ValueSpan))
        {
            problem = JsonTextProblem.InvalidUtf8;
            return null;
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate, or invalid UTF-8 between escapes.
            problem = Utf8.IsValid(reader.ValueSpan) ? JsonTextProblem.LoneSurrogate : JsonTextProblem.InvalidUtf8;
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            problem = JsonTextProblem.Nul;
        }

        return text;
    }

    /// <summary>Whether the text has a <c>\uD800</c>-<c>\uDFFF</c> escape (any case), the only way to write a surrogate in JSON.</summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var i = json.IndexOf("\\u"u8); i >= 0 && i + 3 < json.Length; i = NextEscape(json, i))
        {
            if (json[i + 2] is (byte)'d' or (byte)'D' && json[i + 3] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
        }

        return false;
    }

    private static int NextEscape(ReadOnlySpan<byte> json, int from)
    {
        var next = json[(from + 2)..].IndexOf("\\u"u8);
        return next < 0 ? -1 : from + 2 + next;
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
