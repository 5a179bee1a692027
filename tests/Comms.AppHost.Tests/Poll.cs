namespace Comms.AppHost.Tests;

internal static class Poll
{
    /// <summary>Polls <paramref name="probe"/> until it holds; fails naming <paramref name="what"/> when the token runs out.</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, string what, CancellationToken deadline)
    {
        while (true)
        {
            try
            {
                if (await probe())
                {
                    return;
                }

                await Task.Delay(200, deadline);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
        }
    }
}
