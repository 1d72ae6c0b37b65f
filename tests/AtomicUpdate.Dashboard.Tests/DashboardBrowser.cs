using System.Diagnostics;
using Microsoft.Playwright;

namespace AtomicUpdate.Dashboard.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright. The browser comes from the system package
/// (Playwright's own download cannot run offline), with a fresh profile per run, and is ended by
/// its process id when the tests are done.
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private DashboardBrowser(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        Context = context;
        _profile = profile;
    }

    /// <summary>The browser's one (persistent, but fresh) context; each page still has its own sessionStorage.</summary>
    public IBrowserContext Context { get; }

    public static async Task<DashboardBrowser> LaunchAsync(string baseUrl)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"The dashboard tests need Chromium at {ChromiumPath}: apt-get install -y chromium.");
        }
        var profile = Directory.CreateTempSubdirectory("au-dashboard-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            // Playwright passes the profile to Chromium as --user-data-dir itself.
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // No sandbox (containers lack user namespaces), and nothing that talks to the
                // internet in the background: the tests run on loopback only.
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
                BaseURL = baseUrl,
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Timeout = 60_000,
            });
            context.SetDefaultTimeout(15_000);
            return new DashboardBrowser(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>A new tab (with its own sessionStorage, so signed out) at the given viewport.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var page = await Context.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Context.CloseAsync();
        }
        finally
        {
            _playwright.Dispose();
            KillLeftoverChromium();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // A renderer that is still exiting may hold a file for a moment; the directory is in /tmp.
            }
        }
    }

    /// <summary>
    /// Ends any Chromium process still using this run's profile, by pid: the profile path is
    /// unique to this run, so nothing else is touched.
    /// </summary>
    private void KillLeftoverChromium()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (commandLine.Contains($"--user-data-dir={_profile}", StringComparison.Ordinal))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
    }
}
