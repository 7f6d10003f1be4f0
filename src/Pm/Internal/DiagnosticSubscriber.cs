using System.Diagnostics;

namespace Pm.Internal;

/// <summary>Subscribes, once per process, to the diagnostic listeners whose events tell what a task is waiting on.</summary>
/// <remarks>
/// Each listener is asked, event by event, whether anyone wants the event; the answer is no outside any task, or for a
/// list that observes no such calls, so a program pays for pm's observation only inside tasks.
/// </remarks>
internal sealed class DiagnosticSubscriber : IObserver<DiagnosticListener>
{
    private static int _started;

    private DiagnosticSubscriber()
    {
    }

    public static void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            DiagnosticListener.AllListeners.Subscribe(new DiagnosticSubscriber());
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        switch (value.Name)
        {
            case SqlObserver.EntityFrameworkCore:
            case SqlObserver.SqlClient:
            case SqlObserver.SystemSqlClient:
                value.Subscribe(new SqlObserver(value.Name), SqlObserver.IsEnabled);
                break;
            case HttpClientObserver.ListenerName:
                value.Subscribe(new HttpClientObserver(), HttpClientObserver.IsEnabled);
                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
