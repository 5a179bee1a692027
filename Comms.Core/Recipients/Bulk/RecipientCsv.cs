using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace Comms.Core.Recipients.Bulk;

/// <summary>One data row of a recipient CSV, with the file's line it starts on (1 = the header).</summary>
public sealed record RecipientCsvRow(int Line, BulkRecipientItem Item);

/// <summary>A CSV file that cannot be imported at all: what is wrong with it, and where when a line is to blame.</summary>
public sealed class RecipientCsvException(string message) : Exception(message);

/// <summary>
/// Reads a recipient CSV (RFC 4180: comma-separated, a header row, fields in double quotes when they hold a comma, a quote
/// or a line break) into bulk sync items. Columns, in any order and case, <c>_</c>/<c>-</c>/spaces ignored:
/// <c>externalId</c> (required), <c>name</c>, <c>email</c>, <c>phone</c>, <c>locale</c>, <c>timeZone</c>, <c>roles</c>
/// (separated by <c>;</c> or <c>|</c>) and <c>attributes.&lt;key&gt;</c> (string attributes; the row's attributes are
/// replaced whole when any of its attribute cells is filled). An empty cell leaves the field as it is stored; the API
/// clears fields. Any other column refuses the whole file, as does a malformed line or more than <see cref="MaxRows"/> rows.
/// </summary>
public static class RecipientCsv
{
    public const int MaxRows = 100_000;
    public const string AttributePrefix = "attributes.";

    private static readonly string[] Known = ["externalId", "name", "email", "phone", "locale", "timeZone", "roles"];

    public static List<RecipientCsvRow> Read(TextReader text)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectColumnCountChanges = true,
            TrimOptions = TrimOptions.Trim,
            IgnoreBlankLines = true,
            BadDataFound = args => throw new RecipientCsvException(
                $"Line {args.Context.Parser?.RawRow}: malformed CSV field (a quote inside an unquoted field, or a quoted field not closed)."),
        };
        using var csv = new CsvReader(text, configuration);
        try
        {
            if (!csv.Read())
            {
                throw new RecipientCsvException("The file is empty: the first line must name the columns (externalId, name, email, …).");
            }

            csv.ReadHeader();
            var columns = Columns(csv.HeaderRecord ?? []);
            var rows = new List<RecipientCsvRow>();
            while (csv.Read())
            {
                if (rows.Count == MaxRows)
                {
                    throw new RecipientCsvException($"The file has more than {MaxRows:N0} rows; split it into smaller files.");
                }

                rows.Add(new RecipientCsvRow(csv.Parser.RawRow, Item(csv, columns)));
            }

            return rows;
        }
        catch (BadDataException e)
        {
            throw new RecipientCsvException($"Line {e.Context?.Parser?.RawRow}: malformed CSV ({e.Message.Split('\n')[0].Trim()}).");
        }
        catch (CsvHelperException e)
        {
            throw new RecipientCsvException($"Line {e.Context?.Parser?.RawRow}: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    /// <summary>The column index of each known field, and of each attribute key.</summary>
    private static Dictionary<string, int> Columns(string[] header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var raw = header[i].Trim();
            string key;
            if (raw.StartsWith(AttributePrefix, StringComparison.OrdinalIgnoreCase) && raw.Length > AttributePrefix.Length)
            {
                key = AttributePrefix + raw[AttributePrefix.Length..];
            }
            else
            {
                var normal = Normalise(raw);
                key = Known.FirstOrDefault(k => Normalise(k) == normal)
                    ?? throw new RecipientCsvException(
                        $"Unknown column '{raw}' (column {i + 1}). Known columns: {string.Join(", ", Known)}, and attributes.<key>.");
            }

            if (!columns.TryAdd(key, i))
            {
                throw new RecipientCsvException($"The column '{raw}' appears twice.");
            }
        }

        return columns.ContainsKey("externalId")
            ? columns
            : throw new RecipientCsvException("The header has no externalId column: every row needs the recipient's external id.");
    }

    private static BulkRecipientItem Item(CsvReader csv, Dictionary<string, int> columns)
    {
        // GetField, not TryGetField: the latter swallows the parser's bad-data exception and answers "no value".
        string? Cell(string key) => columns.TryGetValue(key, out var index) && csv.GetField(index) is { } value
            && !string.IsNullOrWhiteSpace(value) ? value : null;

        var roles = Cell("roles")?.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var attributes = columns.Where(c => c.Key.StartsWith(AttributePrefix, StringComparison.Ordinal))
            .Select(c => (Key: c.Key[AttributePrefix.Length..], Value: Cell(c.Key)))
            .Where(a => a.Value is not null)
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new BulkRecipientItem(Cell("externalId"), Cell("name"), Cell("email"), Cell("phone"), Cell("locale"), Cell("timeZone"),
            roles, attributes.Count == 0 ? null : JsonSerializer.SerializeToElement(attributes), null, null, null);
    }

    private static string Normalise(string name) =>
        new([.. name.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant)]);
}
