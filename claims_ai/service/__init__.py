"""The claims service around the pipeline: store (SQLAlchemy + Alembic), content-addressed files, job queues
(in-process threads or Celery/Redis), webhooks, API keys and roles, audit log, retention, metrics.

Modules (imported on use; this package imports nothing heavy so ``claims_ai.logs`` can use ``masking``):

    models      tables and stored enums            db          engine, sessions, migrations
    filestore   files by sha256                    auth        API keys (argon2), roles, permissions
    claims      claims, documents, timeline,       processing  one assessment job, idempotent
                decisions, deletion                queue       JobQueue, in-process worker pool
    celery_app  Celery/Redis queue and worker      webhooks    endpoints, signing, dispatcher
    audit       audit log                          retention   expiry, orphan files
    masking     personal-data masking              metrics     Prometheus metrics
    runtime     ServiceRuntime: all of it, started and closed together
"""
