extern alias dispatcher;

using System.Runtime.CompilerServices;
using Comms.Core.Messages;
using Comms.Core.SupportInbox;
using dispatcher::Comms.Dispatcher.Email;
using dispatcher::Comms.Dispatcher.SupportInbox;
using MimeKit;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// A composed email must not outlive its send. MimeKit's address list subscribes to each address it is given
/// (<c>address.Changed += …</c>), so adding the sender's one shared <see cref="MailboxAddress"/> to every message made that
/// address hold every message ever composed: a leak of a whole MIME tree per email (about 650 MB after 50,000 emails in
/// the SMTP benchmark), and a handler list that grew with each one, copied on every add.
/// </summary>
public sealed class ComposedMessageLifetimeTests
{
    private static readonly MailboxAddress From = MailboxAddress.Parse("Comms <no-reply@comms.test>");
    private static readonly MailboxAddress UnsubscribeMailto = MailboxAddress.Parse("unsubscribe@comms.test");

    [Fact]
    public void Emails_composed_with_the_shared_sender_address_are_collected_after_use()
    {
        var composed = ComposeAndDrop(100, i => EmailComposer.Compose(Message(i), From, UnsubscribeMailto));
        AssertCollected(composed);
        Assert.Equal("no-reply@comms.test", From.Address); // the shared address itself is untouched
    }

    [Fact]
    public void Inbox_replies_composed_with_the_shared_sender_address_are_collected_after_use()
    {
        var composed = ComposeAndDrop(100, i => InboxReplyWorker.Compose(
            new ClaimedInboxReply(Guid.NewGuid(), Guid.NewGuid(), $"u{i}@example.test", "Re: help", "Hello", $"<r{i}@comms.test>", null, null, 0, $"t{i}"),
            From, "replies.comms.test"));
        AssertCollected(composed);
    }

    private static void AssertCollected(List<WeakReference> composed)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(0, composed.Count(reference => reference.IsAlive));
    }

    /// <summary>Composes, writes (as a send does) and disposes <paramref name="count"/> messages, keeping only weak references.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> ComposeAndDrop(int count, Func<int, MimeMessage> compose)
    {
        var references = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            using var mime = compose(i);
            mime.WriteTo(Stream.Null);
            references.Add(new WeakReference(mime));
        }

        return references;
    }

    private static ClaimedMessage Message(int i) => new(
        Guid.NewGuid(), "acme", null, Guid.NewGuid(), $"u{i}", Channel.Email, "account", "welcome", 1, "en-US", $"c{i}",
        $"u{i}@example.test", 1, null, null,
        new RenderedContent { Subject = "Hello", Text = "Hello", Html = "<p>Hello</p>" }, UnsubscribeUrl: $"https://comms.test/u/t{i}");
}
