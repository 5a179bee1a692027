namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A credential a service accepts only from itself, only while its warm-up sends its self-requests: so those requests
/// run the authenticated request path (authorization, rate-limit partitions, binding, validation, the handler up to
/// its first lookup) instead of stopping at "401". It is random per process, held only in memory, accepted only over
/// loopback, and retired for good when the self-requests end; a service without warm-up never issues it.
/// </summary>
public interface ISelfRequestCredential
{
    /// <summary>Makes the credential valid and returns it (a bearer token).</summary>
    string Issue();

    /// <summary>Ends its validity for the rest of the process's life.</summary>
    void Retire();
}
