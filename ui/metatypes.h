#pragma once
// Core value types carried by queued signals; declared once, before any moc output uses them.
#include "train/run_config.h"

#include <QMetaType>

Q_DECLARE_METATYPE(adapterlab::train::RunConfig)
