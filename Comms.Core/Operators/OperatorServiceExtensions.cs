using Comms.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comms.Core.Operators;

public static class OperatorServiceExtensions
{
    /// <summary>
    /// Operators through ASP.NET Core Identity (core services only: no cookies here) over <see cref="OperatorsDbContext"/>,
    /// with the authenticator (TOTP) token provider, the password and lockout rules of <see cref="OperatorOptions"/>,
    /// <see cref="OperatorSignIn"/>, <see cref="OperatorTokens"/> and <see cref="OperatorStamps"/>.
    /// Needs the <see cref="NpgsqlDataSource"/> of <c>AddCommsDatabase</c>, and the host binds and validates <see cref="OperatorOptions"/> and <c>Comms:Auth</c> (<see cref="UserTokenOptions"/>).
    /// </summary>
    public static IServiceCollection AddCommsOperators(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<OperatorsDbContext>((sp, options) =>
            options.UseCommsDatabase(sp.GetRequiredService<NpgsqlDataSource>(), OperatorsDbContext.MigrationsHistoryTable));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<OperatorsDbContext>>().CreateDbContext());

        services.AddIdentityCore<Operator>()
            .AddEntityFrameworkStores<OperatorsDbContext>()
            .AddTokenProvider<AuthenticatorTokenProvider<Operator>>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddOptions<IdentityOptions>().Configure<IOptions<OperatorOptions>>((identity, operators) =>
        {
            identity.User.RequireUniqueEmail = true;
            identity.Password.RequiredLength = operators.Value.MinPasswordLength;
            identity.Lockout.AllowedForNewUsers = true;
            identity.Lockout.MaxFailedAccessAttempts = operators.Value.MaxFailedAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = operators.Value.LockoutDuration;
        });
        services.AddScoped<OperatorSignIn>();
        services.AddSingleton<OperatorTokens>();
        services.AddSingleton<OperatorStamps>();
        return services;
    }
}
