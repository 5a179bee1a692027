using Comms.Core.Auth;
using Comms.Core.Digests;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Data;

public sealed class CommsDbContext(DbContextOptions<CommsDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Preference> Preferences => Set<Preference>();
    public DbSet<Template> Templates => Set<Template>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<EventRecord> Events => Set<EventRecord>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageRender> MessageRenders => Set<MessageRender>();
    public DbSet<MessageKey> MessageKeys => Set<MessageKey>();
    public DbSet<MessageAttempt> MessageAttempts => Set<MessageAttempt>();
    public DbSet<Decision> Decisions => Set<Decision>();
    public DbSet<InboxItem> InboxItems => Set<InboxItem>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<Digest> Digests => Set<Digest>();
    public DbSet<DigestEntry> DigestEntries => Set<DigestEntry>();
    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();
    public DbSet<Audit.AuditRecord> AuditLog => Set<Audit.AuditRecord>();
    public DbSet<Links.LinkClick> LinkClicks => Set<Links.LinkClick>();
    public DbSet<Contexts.Context> Contexts => Set<Contexts.Context>();
    public DbSet<Contexts.ContextMember> ContextMembers => Set<Contexts.ContextMember>();
    public DbSet<Contexts.ScheduledMessage> ScheduledMessages => Set<Contexts.ScheduledMessage>();
    public DbSet<Contexts.ScheduledMessageDelivery> ScheduledMessageDeliveries => Set<Contexts.ScheduledMessageDelivery>();
    public DbSet<ContextMail.ContextMailMessage> ContextMail => Set<ContextMail.ContextMailMessage>();
    public DbSet<ContextMail.ContextMailRecipient> ContextMailRecipients => Set<ContextMail.ContextMailRecipient>();
    public DbSet<ContextMail.ContextMailTranslation> ContextMailTranslations => Set<ContextMail.ContextMailTranslation>();
    public DbSet<DirectMessages.DirectMessageRecord> SysDirectMessages => Set<DirectMessages.DirectMessageRecord>();
    public DbSet<Banners.BannerTemplate> BannerTemplates => Set<Banners.BannerTemplate>();
    public DbSet<Banners.BannerActivation> BannerActivations => Set<Banners.BannerActivation>();
    public DbSet<Banners.BannerDismissal> BannerDismissals => Set<Banners.BannerDismissal>();
    public DbSet<ReleaseNotes.SysReleaseNote> ReleaseNotes => Set<ReleaseNotes.SysReleaseNote>();
    public DbSet<Broadcasts.SysBroadcast> SysBroadcasts => Set<Broadcasts.SysBroadcast>();
    public DbSet<Broadcasts.SysBroadcastTestSend> SysBroadcastTestSends => Set<Broadcasts.SysBroadcastTestSend>();
    public DbSet<SupportInbox.SysSupportInboxThread> SupportInboxThreads => Set<SupportInbox.SysSupportInboxThread>();
    public DbSet<SupportInbox.SysSupportInboxMessage> SupportInboxMessages => Set<SupportInbox.SysSupportInboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CommsDbContext).Assembly);
}
