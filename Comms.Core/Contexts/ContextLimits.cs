namespace Comms.Core.Contexts;

/// <summary>Sizes of a context's fields and of its scheduled messages.</summary>
public static class ContextLimits
{
    public const int MaxKeyLength = 200;
    public const int MaxNameLength = 200;
    public const int MaxVenueLength = 500;
    public const int MaxAttributesBytes = 16 * 1024;
    public const int MaxSubjectLength = 256;
    public const int MaxBodyLength = 4096;
}
