<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
  <context>
    <name>Comptoir</name>
    <message numerus="yes">
      <source>%n new order(s)</source>
      <translation>
        <numerusform>%n new order</numerusform>
        <numerusform>%n new orders</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n order(s)</source>
      <translation>
        <numerusform>%n order</numerusform>
        <numerusform>%n orders</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n item(s)</source>
      <translation>
        <numerusform>%n item</numerusform>
        <numerusform>%n items</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n ticket(s) waiting</source>
      <translation>
        <numerusform>%n ticket waiting</numerusform>
        <numerusform>%n tickets waiting</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change(s) waiting to be sent</source>
      <translation>
        <numerusform>%n change waiting to be sent</numerusform>
        <numerusform>%n changes waiting to be sent</numerusform>
      </translation>
    </message>
  </context>
</TS>
