using System.Net;

namespace Comms.Hosting;

internal static class HttpProbe
{
    /// <summary>GET <paramref name="uri"/>; true on 200, false on any other status or connection error.</summary>
    public static async Task<bool> IsOkAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the client's own timeout
        }
    }
}
