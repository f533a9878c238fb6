from tests.pulumi_harness import config_from_stack_file, run_program

MINIMAL = {"transfer-digest:connectorId": "c-0123456789abcdef0",
           "transfer-digest:notificationEmails": ["ops@example.com"]}


def test_dev_stack_smoke():
    run = run_program(config_from_stack_file("dev"))
    print(sorted({r.type for r in run.resources.resources}))
    print(run.exports)
