using System.ComponentModel.DataAnnotations;

namespace Comms.Core.ContextMail;

/// <summary>
/// <c>Comms:ContextMail</c>: the limits of in-context mail (SPEC S8). Sizes are UTF-8 bytes, checked before anything is
/// stored; a mail over a limit is a 400 naming the field. They live here, not in the schema, so they can be tuned
/// without a migration.
/// </summary>
public sealed class ContextMailOptions
{
    public const string SectionName = "Comms:ContextMail";

    [Range(1, 4_096)]
    public int MaxSubjectBytes { get; set; } = 256;

    [Range(1, 65_536)]
    public int MaxBodyBytes { get; set; } = 4_096;

    /// <summary>
    /// The languages (ISO 639-1) the detector chooses among. Fewer languages, fewer models in memory; a text that
    /// matches none of them clearly is <c>und</c>.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string[] DetectLanguages { get; set; } =
        ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr", "sv", "da", "nb", "fi", "cs", "ja", "zh", "ko", "ar"];
}
