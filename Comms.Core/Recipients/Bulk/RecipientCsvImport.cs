using Comms.Core.Audit;

namespace Comms.Core.Recipients.Bulk;

/// <summary>One refused row of an import: its line in the file, its external id, and what is wrong by column.</summary>
public sealed record CsvImportProblem(int Line, string? ExternalId, IReadOnlyList<string> Errors);

/// <summary>What an import did: the count of each outcome, and the first <see cref="RecipientCsvImport.MaxProblems"/> refused rows.</summary>
public sealed record CsvImportResult(int Rows, int Created, int Updated, int Unchanged, int Invalid, IReadOnlyList<CsvImportProblem> Problems);

/// <summary>
/// The console's CSV import of recipients: the whole file is read and checked for its shape first (a malformed file
/// stores nothing), then its rows go through the bulk sync (<see cref="RecipientBulkService"/>) 1,000 at a time, with
/// the same per-row rules and outcomes as <c>POST /v1/recipients/bulk</c>: valid rows are stored beside invalid ones, and
/// importing the same file again changes nothing. Audited as <c>recipient.imported</c> with the counts only.
/// </summary>
public sealed class RecipientCsvImport(RecipientBulkService bulk, AuditLog audit)
{
    public const int MaxProblems = 100;
    public const string ImportedAction = "recipient.imported";

    /// <exception cref="RecipientCsvException">The file cannot be read as a recipient CSV (nothing was stored).</exception>
    public async Task<CsvImportResult> ImportAsync(string tenantId, string actor, TextReader file, CancellationToken cancellationToken)
    {
        var rows = RecipientCsv.Read(file);
        if (rows.Count == 0)
        {
            throw new RecipientCsvException("The file has a header but no rows.");
        }

        int created = 0, updated = 0, unchanged = 0, invalid = 0;
        var problems = new List<CsvImportProblem>();
        foreach (var chunk in rows.Chunk(RecipientBulkValidator.MaxRecipients))
        {
            var answer = await bulk.SyncAsync(tenantId, [.. chunk.Select(r => (BulkRecipientItem?)r.Item)], cancellationToken);
            (created, updated, unchanged, invalid) =
                (created + answer.Created, updated + answer.Updated, unchanged + answer.Unchanged, invalid + answer.Invalid);
            foreach (var item in answer.Items.Where(i => i.Outcome == BulkOutcome.Invalid && problems.Count < MaxProblems))
            {
                problems.Add(new CsvImportProblem(chunk[item.Index].Line, item.ExternalId, Messages(item)));
            }
        }

        var result = new CsvImportResult(rows.Count, created, updated, unchanged, invalid, problems);
        await audit.AppendAsync(tenantId, actor, ImportedAction, "tenant:" + tenantId,
            new { via = "console", rows = rows.Count, created, updated, unchanged, invalid }, cancellationToken);
        return result;
    }

    /// <summary>The item's errors with the JSON path turned into the column (<c>recipients[3].email</c> → <c>email</c>).</summary>
    private static List<string> Messages(BulkRecipientResult item) =>
        [.. (item.Errors ?? []).SelectMany(e => e.Value.Select(message => $"{Column(e.Key)}: {message}"))];

    private static string Column(string path)
    {
        var dot = path.IndexOf("].", StringComparison.Ordinal);
        return dot < 0 ? path : path[(dot + 2)..];
    }
}
