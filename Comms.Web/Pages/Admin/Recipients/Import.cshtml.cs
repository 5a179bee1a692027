using System.Text;
using Comms.Core.Recipients.Bulk;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Recipients;

/// <summary>
/// CSV import of a tenant's recipients (<c>/admin/recipients/import</c>): the file goes through the same bulk sync as
/// <c>POST /v1/recipients/bulk</c> (see <see cref="RecipientCsvImport"/>), and the page shows the count of each outcome
/// and the refused rows by line. Only an operator who may manage the tenant (a SysOperator or its CommsEditor) imports;
/// others see the form disabled and a forced POST is 403.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
[RequestSizeLimit(MaxFileBytes + 64 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxFileBytes + 64 * 1024)]
public sealed class ImportModel(RecipientCsvImport import) : PageModel
{
    public const int MaxFileBytes = 20 * 1024 * 1024;

    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }

    public IReadOnlyList<string>? Choices { get; private set; }
    public bool CanManage { get; private set; }
    public string? Error { get; private set; }
    public CsvImportResult? Result { get; private set; }

    public void OnGet()
    {
        var op = ConsoleOperator.From(User);
        Choices = op.Tenants;
        Tenant = Blank(Tenant) ?? Choices?.FirstOrDefault();
        CanManage = Tenant is null ? op.IsSysOperator : op.CanManage(Tenant);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        OnGet();
        if (Tenant is null)
        {
            ModelState.AddModelError(nameof(Tenant), "Name the tenant to import into.");
            return Page();
        }

        var op = ConsoleOperator.From(User);
        if (!op.CanManage(Tenant))
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose a CSV file with a header row.");
            return Page();
        }

        if (Upload.Length > MaxFileBytes)
        {
            ModelState.AddModelError(nameof(Upload), $"The file is over {MaxFileBytes / 1024 / 1024} MiB; split it into smaller files.");
            return Page();
        }

        try
        {
            using var reader = new StreamReader(Upload.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            Result = await import.ImportAsync(Tenant, op.Actor, reader, cancellationToken);
        }
        catch (RecipientCsvException e)
        {
            Error = e.Message + " Nothing was imported.";
        }

        return Page();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
